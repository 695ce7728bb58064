with

fees as (
    select * from {{ ref('base_creators__fees') }}
),

accepted as (
    select * from fees
    where quarantine_rule is null
)

select
    creator_fee_id,
    creator_id,
    post_id,
    currency_code,
    fee_amount_local,
    paid_at,
    updated_at,
    loaded_at
from accepted
