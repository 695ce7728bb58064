with

source as (
    select * from {{ source('fx', 'rates') }}
),

renamed as (
    select
        {{ as_date('date') }} as rate_date,
        upper(currency) as currency_code,
        {{ safe_decimal('rate_per_eur', 28, 10) }} as rate_per_eur,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by rate_date, currency_code
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    {{ compound_key(['rate_date', 'currency_code']) }} as fx_rate_key,
    rate_date,
    currency_code,
    rate_per_eur,
    loaded_at
from ranked
where
    version_rank = 1
    and rate_per_eur is not null
