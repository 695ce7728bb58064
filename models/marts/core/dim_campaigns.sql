{#-
    Google campaign types map to channels: SHOPPING (and Performance Max, which serves mostly
    shopping inventory for a product brand) to `shopping`, everything else to `paid_search`.
-#}
with

google_campaigns as (

    select * from {{ ref('stg_google_ads__campaigns') }}

),

meta_campaigns as (

    select * from {{ ref('stg_meta_ads__campaigns') }}

),

tiktok_campaigns as (

    select * from {{ ref('stg_tiktok_ads__campaigns') }}

),

amazon_ads_daily as (

    select * from {{ ref('stg_amazon_ads__sp_daily') }}

),

email_campaigns as (

    select * from {{ ref('stg_email__campaigns') }}

),

email_flows as (

    select * from {{ ref('stg_email__flows') }}

),

google_rows as (

    select
        'google_ads' as platform,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        campaign_name,
        advertising_channel_type as campaign_type,
        campaign_status,
        case
            when upper(advertising_channel_type) in ('SHOPPING', 'PERFORMANCE_MAX') then 'shopping'
            else 'paid_search'
        end as channel
    from google_campaigns

),

meta_rows as (

    select
        'meta_ads' as platform,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        campaign_name,
        campaign_objective as campaign_type,
        campaign_status,
        'paid_social_meta' as channel
    from meta_campaigns

),

tiktok_rows as (

    select
        'tiktok_ads' as platform,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(advertiser_id as {{ dbt.type_string() }}) as account_id,
        campaign_name,
        campaign_objective as campaign_type,
        cast(null as {{ dbt.type_string() }}) as campaign_status,
        'paid_social_tiktok' as channel
    from tiktok_campaigns

),

amazon_rows as (

    select
        'amazon_ads' as platform,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        min(cast(profile_id as {{ dbt.type_string() }})) as account_id,
        min(campaign_name) as campaign_name,
        'SPONSORED_PRODUCTS' as campaign_type,
        cast(null as {{ dbt.type_string() }}) as campaign_status,
        'amazon_ads' as channel
    from amazon_ads_daily
    group by campaign_id

),

email_rows as (

    select
        'email' as platform,
        cast(email_campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        email_campaign_name as campaign_name,
        'campaign' as campaign_type,
        email_campaign_status as campaign_status,
        'email' as channel
    from email_campaigns

    union all

    select
        'email' as platform,
        cast(email_flow_id as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        email_flow_name as campaign_name,
        'flow' as campaign_type,
        email_flow_status as campaign_status,
        'email' as channel
    from email_flows

),

campaigns as (

    select * from google_rows
    union all
    select * from meta_rows
    union all
    select * from tiktok_rows
    union all
    select * from amazon_rows
    union all
    select * from email_rows

),

final as (

    select
        {{ compound_key(['platform', 'campaign_id']) }} as campaign_key,
        platform,
        campaign_id,
        account_id,
        campaign_name,
        campaign_type,
        campaign_status,
        channel
    from campaigns

)

select * from final
