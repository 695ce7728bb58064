{%- set attempts = source('payments', 'payment_attempts') -%}

with

source as (
    select * from {{ attempts }}
),

currencies as (
    select * from {{ ref('currencies') }}
),

renamed as (
    select
        cast(source.id as {{ dbt.type_string() }}) as payment_attempt_id,
        source.order_ref,
        {{ dbt.split_part('source.order_ref', "':'", 1) }} as order_source,
        {{ dbt.split_part('source.order_ref', "':'", 2) }} as source_order_id,
        source.method as payment_method,
        {{ column_or_null(attempts, 'provider', qualifier='source') }} as payment_provider,
        source.status as payment_status,
        source.status = 'succeeded' as is_successful,
        {{ column_or_null(attempts, 'failure_reason', qualifier='source') }} as failure_reason,
        upper({{ column_or_null(attempts, 'country', qualifier='source') }}) as country_code,
        upper(source.currency) as currency_code,
        cast(source.amount as {{ dbt.type_bigint() }}) as amount_minor_units,
        {{ minor_units_to_money('source.amount', 'currencies.minor_units') }} as amount_local,
        {{ epoch_to_timestamp('source.created') }} as attempted_at,
        {{ dlt_loaded_at('source._dlt_load_id') }} as loaded_at,
        source._dlt_load_id as source_load_id,
        source._dlt_id as source_row_id
    from source
    left join currencies
        on upper(source.currency) = currencies.currency_code
),

ranked as (
    select
        *,
        row_number() over (
            partition by payment_attempt_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
),

checked as (
    select
        *,
        case
            when amount_local < 0 then 'negative_amount'
            when attempted_at >= {{ as_of_end_at() }} then 'date_after_as_of'
        end as quarantine_rule
    from ranked
    where version_rank = 1
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
    loaded_at,
    quarantine_rule,
    case
        when quarantine_rule = 'negative_amount'
            then {{ dbt.concat(["'amount_local '", dbt.safe_cast('amount_local', dbt.type_string())]) }}
        when quarantine_rule = 'date_after_as_of'
            then {{ dbt.concat(["'attempted_at '", dbt.safe_cast('attempted_at', dbt.type_string())]) }}
    end as quarantine_details
from checked
