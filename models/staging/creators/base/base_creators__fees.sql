{%- set fees = source('creators', 'fees') -%}

with

source as (
    select * from {{ fees }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as creator_fee_id,
        cast(creator_id as {{ dbt.type_string() }}) as creator_id,
        cast({{ column_or_null(fees, 'post_id') }} as {{ dbt.type_string() }}) as post_id,
        upper(currency) as currency_code,
        {{ parse_money('amount') }} as fee_amount_local,
        {{ as_utc_timestamp(column_or_null(fees, 'paid_at')) }} as paid_at,
        {{ as_utc_timestamp('updated_at') }} as updated_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by creator_fee_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
),

checked as (
    select
        *,
        case
            when fee_amount_local < 0 then 'negative_amount'
            when paid_at >= {{ as_of_end_at() }} then 'date_after_as_of'
        end as quarantine_rule
    from ranked
    where version_rank = 1
)

select
    creator_fee_id,
    creator_id,
    post_id,
    currency_code,
    fee_amount_local,
    paid_at,
    updated_at,
    loaded_at,
    quarantine_rule,
    case
        when quarantine_rule = 'negative_amount'
            then {{ dbt.concat(["'fee_amount_local '", dbt.safe_cast('fee_amount_local', dbt.type_string())]) }}
        when quarantine_rule = 'date_after_as_of'
            then {{ dbt.concat(["'paid_at '", dbt.safe_cast('paid_at', dbt.type_string())]) }}
    end as quarantine_details
from checked
