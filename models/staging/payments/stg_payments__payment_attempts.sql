with

attempts as (
    select * from {{ ref('base_payments__payment_attempts') }}
),

accepted as (
    select * from attempts
    where quarantine_rule is null
)

select
    payment_attempt_id,
    order_ref,
    order_source,
    source_order_id,
    payment_method,
    payment_provider,
    payment_status,
    is_successful,
    failure_reason,
    country_code,
    currency_code,
    amount_minor_units,
    amount_local,
    attempted_at,
    loaded_at
from accepted
