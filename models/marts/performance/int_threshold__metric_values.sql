{{
    config(
        schema='intermediate',
        materialized='table',
    )
}}

{#-
    One row per threshold rule × entity of its scope: the metric's value over the rule's
    trailing window ending at as_of_date, and the base volume it rests on. Rules are rows of the
    threshold_rules seed, joined to the daily facts by date, so any window length works without
    changing SQL. Metric definitions are in the seed's YAML.
-#}
{%- set reporting_model = reporting_attribution_model() -%}

with

rules as (

    select
        rule_id,
        metric,
        scope,
        nullif(channel, '') as channel_filter,
        nullif(market, '') as market_filter,
        coalesce(nullif(attribution_model, ''), '{{ reporting_model }}') as model,  -- output column name -- noqa: RF04
        window_days,
        {{ dbt.dateadd('day', '1 - window_days', as_of_date()) }} as window_start,
        {{ as_of_date() }} as window_end,
        {{ dbt.dateadd('day', '1 - 2 * window_days', as_of_date()) }} as previous_window_start
    from {{ ref('threshold_rules') }}

),

channel_daily as (

    select * from {{ ref('fct_channel_performance_daily') }}

),

campaign_daily as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

stock_levels as (

    select * from {{ ref('stg_inventory__stock_levels') }}

),

shipments as (

    select * from {{ ref('stg_logistics__shipments') }}

),

referrals as (

    select * from {{ ref('fct_referrals') }}

),

markets as (

    select * from {{ ref('dim_markets') }}

),

-- channels that reach people's paths; the others (Amazon Ads: clicks happen on Amazon) get no attributed
-- orders by construction, so their model-based metrics (cac, roas, cpa, over-count) are undefined, not 0
path_channels as (

    select distinct channel
    from {{ ref('fct_touchpoints') }}

),

channel_windows as (

    select
        rules.rule_id,
        channel_daily.channel,
        case when rules.scope = 'channel_market' then channel_daily.market_code end as market,
        sum(case when channel_daily.date_day >= rules.window_start then channel_daily.spend else 0 end) as spend,
        sum(case when channel_daily.date_day >= rules.window_start then channel_daily.attributed_revenue else 0 end)
            as attributed_revenue,
        sum(case when channel_daily.date_day >= rules.window_start then channel_daily.attributed_orders else 0 end)
            as attributed_orders,
        sum(case when channel_daily.date_day >= rules.window_start then channel_daily.attributed_new_customers else 0 end)
            as attributed_new_customers,
        sum(case when channel_daily.date_day >= rules.window_start then channel_daily.platform_conversions else 0 end)
            as platform_conversions,
        sum(case when channel_daily.date_day >= rules.window_start then channel_daily.impressions else 0 end)
            as impressions,
        sum(case when channel_daily.date_day >= rules.window_start then channel_daily.clicks else 0 end) as clicks,
        sum(case when channel_daily.date_day < rules.window_start then channel_daily.impressions else 0 end)
            as previous_impressions,
        sum(case when channel_daily.date_day < rules.window_start then channel_daily.clicks else 0 end)
            as previous_clicks
    from rules
    inner join channel_daily
        on
            rules.model = channel_daily.model
            and rules.previous_window_start <= channel_daily.date_day
            and rules.window_end >= channel_daily.date_day
            and not channel_daily.is_unattributed
            and (rules.channel_filter is null or rules.channel_filter = channel_daily.channel)
            and (rules.market_filter is null or rules.market_filter = channel_daily.market_code)
    where rules.scope in ('channel', 'channel_market')
    group by
        rules.rule_id,
        channel_daily.channel,
        case when rules.scope = 'channel_market' then channel_daily.market_code end

),

campaign_windows as (

    select
        rules.rule_id,
        campaign_daily.channel,
        cast(null as {{ dbt.type_string() }}) as market,
        {{ dbt.concat(['campaign_daily.platform', "':'", 'campaign_daily.campaign_id']) }} as entity_id,
        sum(case when campaign_daily.date_day >= rules.window_start then campaign_daily.spend else 0 end) as spend,
        sum(case when campaign_daily.date_day >= rules.window_start then campaign_daily.attributed_revenue else 0 end)
            as attributed_revenue,
        sum(case when campaign_daily.date_day >= rules.window_start then campaign_daily.attributed_orders else 0 end)
            as attributed_orders,
        sum(case when campaign_daily.date_day >= rules.window_start then campaign_daily.attributed_new_customers else 0 end)
            as attributed_new_customers,
        sum(case when campaign_daily.date_day >= rules.window_start then campaign_daily.impressions else 0 end)
            as impressions,
        sum(case when campaign_daily.date_day >= rules.window_start then campaign_daily.clicks else 0 end) as clicks,
        sum(case when campaign_daily.date_day < rules.window_start then campaign_daily.impressions else 0 end)
            as previous_impressions,
        sum(case when campaign_daily.date_day < rules.window_start then campaign_daily.clicks else 0 end)
            as previous_clicks
    from rules
    inner join campaign_daily
        on
            rules.model = campaign_daily.model
            and rules.previous_window_start <= campaign_daily.date_day
            and rules.window_end >= campaign_daily.date_day
            and (rules.channel_filter is null or rules.channel_filter = campaign_daily.channel)
            and (rules.market_filter is null or rules.market_filter = campaign_daily.market_code)
    where rules.scope = 'campaign'
    group by
        rules.rule_id,
        campaign_daily.channel,
        {{ dbt.concat(['campaign_daily.platform', "':'", 'campaign_daily.campaign_id']) }}

),

spend_metric_values as (

    select
        rules.rule_id,
        case when rules.scope = 'channel' then 'channel' else 'channel_market' end as entity_type,
        case
            when channel_windows.market is null then channel_windows.channel
            else {{ dbt.concat(['channel_windows.channel', "':'", 'channel_windows.market']) }}
        end as entity_id,
        channel_windows.channel,
        channel_windows.market,
        case
            when path_channels.channel is null and rules.metric in ('cac', 'roas', 'cpa', 'platform_overcount_ratio')
                then null
            else
                case rules.metric
                    when 'cac' then {{ safe_ratio('channel_windows.spend', 'channel_windows.attributed_new_customers') }}
                    when 'roas' then {{ safe_ratio('channel_windows.attributed_revenue', 'channel_windows.spend') }}
                    when 'cpa' then {{ safe_ratio('channel_windows.spend', 'channel_windows.attributed_orders') }}
                    when 'platform_overcount_ratio'
                        then {{ safe_ratio('channel_windows.platform_conversions', 'channel_windows.attributed_orders') }}
                    when 'ctr_change'
                        then {{ safe_ratio(
                            safe_ratio('channel_windows.clicks', 'channel_windows.impressions'),
                            safe_ratio('channel_windows.previous_clicks', 'channel_windows.previous_impressions')
                        ) }} - 1
                end
        end as metric_value,
        case rules.metric
            when 'platform_overcount_ratio' then channel_windows.attributed_orders
            when 'ctr_change'
                then least(channel_windows.impressions, channel_windows.previous_impressions)
            else channel_windows.spend
        end as base_value
    from channel_windows
    inner join rules
        on channel_windows.rule_id = rules.rule_id
    left join path_channels
        on channel_windows.channel = path_channels.channel

    union all

    select
        rules.rule_id,
        'campaign' as entity_type,
        campaign_windows.entity_id,
        campaign_windows.channel,
        campaign_windows.market,
        case
            when path_channels.channel is null and rules.metric in ('cac', 'roas', 'cpa')
                then null
            else
                case rules.metric
                    when 'cac' then {{ safe_ratio('campaign_windows.spend', 'campaign_windows.attributed_new_customers') }}
                    when 'roas' then {{ safe_ratio('campaign_windows.attributed_revenue', 'campaign_windows.spend') }}
                    when 'cpa' then {{ safe_ratio('campaign_windows.spend', 'campaign_windows.attributed_orders') }}
                    when 'ctr_change'
                        then {{ safe_ratio(
                            safe_ratio('campaign_windows.clicks', 'campaign_windows.impressions'),
                            safe_ratio('campaign_windows.previous_clicks', 'campaign_windows.previous_impressions')
                        ) }} - 1
                end
        end as metric_value,
        case rules.metric
            when 'ctr_change'
                then least(campaign_windows.impressions, campaign_windows.previous_impressions)
            else campaign_windows.spend
        end as base_value
    from campaign_windows
    inner join rules
        on campaign_windows.rule_id = rules.rule_id
    left join path_channels
        on campaign_windows.channel = path_channels.channel

),

latest_stock_day as (

    select max(stock_date) as stock_date
    from stock_levels
    where stock_date <= {{ as_of_date() }}

),

stock_values as (

    select
        rules.rule_id,
        'product' as entity_type,
        stock_levels.sku as entity_id,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as market,
        {{ safe_ratio('sum(stock_levels.available_units)', 'sum(stock_levels.safety_stock_units)') }} as metric_value,
        sum(stock_levels.safety_stock_units) as base_value
    from rules
    cross join latest_stock_day
    inner join stock_levels
        on latest_stock_day.stock_date = stock_levels.stock_date
    where
        rules.metric = 'stock_to_safety_ratio'
        and rules.scope = 'product'
    group by
        rules.rule_id,
        stock_levels.sku

),

delivery_values as (

    select
        rules.rule_id,
        rules.scope as entity_type,
        case
            when rules.scope = 'region' then coalesce(markets.region, 'UNKNOWN')
            else shipments.destination_country_code
        end as entity_id,
        cast(null as {{ dbt.type_string() }}) as channel,
        case
            when rules.scope = 'region' then coalesce(markets.region, 'UNKNOWN')
            else shipments.destination_country_code
        end as market,
        avg(shipments.delivery_days) as metric_value,
        count(*) as base_value
    from rules
    inner join shipments
        on
            shipments.delivered_at is not null
            and cast(shipments.delivered_at as date) >= rules.window_start
            and cast(shipments.delivered_at as date) <= rules.window_end
    left join markets
        on shipments.destination_country_code = markets.country_code
    where
        rules.metric = 'avg_delivery_days'
        and rules.scope in ('market', 'region')
        and (
            rules.market_filter is null
            or rules.market_filter = shipments.destination_country_code
            or rules.market_filter = markets.region
        )
    group by
        rules.rule_id,
        rules.scope,
        case
            when rules.scope = 'region' then coalesce(markets.region, 'UNKNOWN')
            else shipments.destination_country_code
        end

),

referral_values as (

    select
        rules.rule_id,
        'share_channel' as entity_type,
        coalesce(referrals.share_channel, 'unknown') as entity_id,
        'referral' as channel,
        cast(null as {{ dbt.type_string() }}) as market,
        {{ safe_ratio('sum(case when referrals.is_converted then 1 else 0 end)', 'count(*)') }} as metric_value,
        count(*) as base_value
    from rules
    inner join referrals
        on
            cast(referrals.shared_at as date) >= rules.window_start
            and cast(referrals.shared_at as date) <= rules.window_end
    where
        rules.metric = 'share_to_order_rate'
        and rules.scope = 'referral'
    group by
        rules.rule_id,
        coalesce(referrals.share_channel, 'unknown')

),

metric_values as (

    select * from spend_metric_values
    union all
    select * from stock_values
    union all
    select * from delivery_values
    union all
    select * from referral_values

),

final as (

    select
        {{ compound_key(['metric_values.rule_id', 'metric_values.entity_id']) }} as evaluation_id,
        metric_values.rule_id,
        metric_values.entity_type,
        metric_values.entity_id,
        metric_values.channel,
        metric_values.market,
        rules.model,
        cast(metric_values.metric_value as {{ type_double() }}) as metric_value,
        cast(metric_values.base_value as {{ type_double() }}) as base_value,
        rules.window_start,
        rules.window_end
    from metric_values
    inner join rules
        on metric_values.rule_id = rules.rule_id

)

select * from final
