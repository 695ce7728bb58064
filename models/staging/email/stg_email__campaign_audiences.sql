with

audiences as (
    {{ select_dlt_value_list(source('email', 'campaigns__attributes__audiences__included')) }}
),

campaigns as (
    select
        cast(id as {{ dbt.type_string() }}) as email_campaign_id,
        _dlt_id as campaign_row_id,
        row_number() over (
            partition by id
            order by _dlt_load_id desc, _dlt_id desc
        ) as version_rank
    from {{ source('email', 'campaigns') }}
),

latest_campaigns as (
    select * from campaigns
    where version_rank = 1
),

renamed as (
    select
        {{ compound_key(['latest_campaigns.email_campaign_id', 'audiences.value']) }} as email_campaign_audience_id,
        latest_campaigns.email_campaign_id,
        cast(audiences.value as {{ dbt.type_string() }}) as audience_id
    from audiences
    inner join latest_campaigns
        on audiences._dlt_parent_id = latest_campaigns.campaign_row_id
)

select distinct
    email_campaign_audience_id,
    email_campaign_id,
    audience_id
from renamed
