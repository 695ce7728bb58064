{#-
    Reconciliation: spend in the account currency per platform and account-local day equals the
    staged (accepted, non-quarantined) spend of that platform, to the cent.
-#}
{% test ad_spend_reconciles_to_staging(model) %}
    with

    staged as (
        select 'google_ads' as platform, date_local as date_day, sum(spend_local) as spend_local
        from {{ ref('stg_google_ads__ad_metrics_daily') }}
        group by date_local
        union all
        select 'meta_ads', date_local, sum(spend_local)
        from {{ ref('stg_meta_ads__insights_daily') }}
        group by date_local
        union all
        select 'tiktok_ads', date_local, sum(spend_local)
        from {{ ref('stg_tiktok_ads__report_daily') }}
        group by date_local
        union all
        select 'amazon_ads', date_local, sum(spend_local)
        from {{ ref('stg_amazon_ads__sp_daily') }}
        group by date_local
    ),

    marts as (
        select platform, date_day, sum(spend_local) as spend_local
        from {{ model }}
        group by platform, date_day
    )

    select
        coalesce(staged.platform, marts.platform) as platform,
        coalesce(staged.date_day, marts.date_day) as date_day,
        staged.spend_local as staged_spend_local,
        marts.spend_local as mart_spend_local
    from staged
    full outer join marts
        on staged.platform = marts.platform and staged.date_day = marts.date_day
    where
        staged.spend_local is null
        or marts.spend_local is null
        or abs(staged.spend_local - marts.spend_local) > 0.005
{% endtest %}

{#-
    Every reporting-currency amount equals its original-currency amount times the FX rate of the
    transaction date (nearest previous published rate), to the cent.
-#}
{% test converted_at_transaction_date_fx(model, column_name, local_column, date_column, currency_column='currency_code') %}
    select
        tested.{{ column_name }} as converted_amount,
        tested.{{ local_column }} as local_amount,
        fx.rate_to_reporting
    from {{ model }} as tested
    left join {{ ref('int_fx_rates__daily') }} as fx
        on
            tested.{{ date_column }} = fx.rate_date
            and tested.{{ currency_column }} = fx.currency_code
    where
        tested.{{ local_column }} is not null
        and (
            fx.rate_to_reporting is null
            or abs(tested.{{ column_name }} - tested.{{ local_column }} * fx.rate_to_reporting) > 0.005
        )
{% endtest %}

{#-
    No order line is lost or duplicated between staging and the mart: per sales channel and
    order date, the line count, units and tax (original currency) match the staged order lines.
-#}
{% test order_lines_reconcile_to_staging(model) %}
    with

    staged as (
        select
            'shopify' as sales_channel,
            cast(orders.created_at as date) as order_date,
            count(*) as order_lines,
            sum(lines.quantity) as units
        from {{ ref('stg_shopify__order_lines') }} as lines
        inner join {{ ref('stg_shopify__orders') }} as orders
            on lines.order_id = orders.order_id
        group by cast(orders.created_at as date)
        union all
        select
            'amazon' as sales_channel,
            cast(orders.purchased_at as date) as order_date,
            count(*) as order_lines,
            sum(items.quantity) as units
        from {{ ref('stg_amazon_sp__order_items') }} as items
        inner join {{ ref('stg_amazon_sp__orders') }} as orders
            on items.amazon_order_id = orders.amazon_order_id
        group by cast(orders.purchased_at as date)
    ),

    marts as (
        select
            sales_channel,
            order_date,
            count(*) as order_lines,
            sum(quantity) as units
        from {{ model }}
        group by sales_channel, order_date
    )

    select
        coalesce(staged.sales_channel, marts.sales_channel) as sales_channel,
        coalesce(staged.order_date, marts.order_date) as order_date,
        staged.order_lines as staged_order_lines,
        marts.order_lines as mart_order_lines,
        staged.units as staged_units,
        marts.units as mart_units
    from staged
    full outer join marts
        on staged.sales_channel = marts.sales_channel and staged.order_date = marts.order_date
    where
        staged.order_lines is null
        or marts.order_lines is null
        or staged.order_lines <> marts.order_lines
        or staged.units <> marts.units
{% endtest %}

{#-
    Blocking guard for budget-feeding marts: no ad-performance row is built from a quarantined
    staged record (negative spend, impossible dates). Google, TikTok and Amazon Ads records map
    one-to-one onto mart rows by their staging key; Meta rows sum publisher platforms, so Meta is
    covered by ad_spend_reconciles_to_staging (staged accepted spend = mart spend).
-#}
{% test ad_performance_excludes_quarantined(model) %}
    with

    mart_keys as (
        select
            case platform
                when 'google_ads' then 'google_ads.ad_metrics_daily'
                when 'tiktok_ads' then 'tiktok_ads.report_daily'
                when 'amazon_ads' then 'amazon_ads.sp_daily'
            end as source_entity,
            case
                when platform = 'amazon_ads'
                    then {{ compound_key(['date_day', 'account_id', 'campaign_id', 'ad_group_id', 'ad_id']) }}
                else {{ compound_key(['date_day', 'ad_id', 'country_code']) }}
            end as record_key,
            ad_performance_id
        from {{ model }}
        where platform in ('google_ads', 'tiktok_ads', 'amazon_ads')
    )

    select
        mart_keys.ad_performance_id,
        quarantined.quarantine_rule
    from mart_keys
    inner join {{ ref('stg_quarantine__records') }} as quarantined
        on
            mart_keys.source_entity = quarantined.source_entity
            and mart_keys.record_key = quarantined.record_key
{% endtest %}
