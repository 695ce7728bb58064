{%- set src = source('meta_ads', 'ad_accounts') -%}

with

source as (
    select * from {{ src }}
),

renamed as (
    select
        cast(coalesce(
            {{ column_or_null(src, 'account_id') }},
            {{ dbt.replace('cast(id as ' ~ dbt.type_string() ~ ')', "'act_'", "''") }}
        ) as {{ dbt.type_string() }}) as account_id,
        id as account_node_id,
        {{ column_or_null(src, 'name') }} as account_name,
        upper(currency) as currency_code,
        timezone_name as account_timezone,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by account_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    account_id,
    account_node_id,
    account_name,
    currency_code,
    account_timezone,
    loaded_at
from ranked
where version_rank = 1
