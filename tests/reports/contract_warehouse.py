"""A small warehouse shaped like the marts the reports read -- the reports' contract.

`reports/sources/warehouse/*.sql` are the only place the reports name warehouse
tables and columns.  This module builds a DuckDB file holding exactly those
tables and columns (a few deterministic rows each), so the pages can be checked
end to end before -- and independently of -- the real marts.  When a mart is
renamed or reshaped, fix the source .sql and this contract together; the test
against the real small-market warehouse (REPORTS_CHECK_WAREHOUSE) tells you when.

    python tests/reports/contract_warehouse.py /tmp/contract.duckdb   # e.g. to try Evidence locally
"""
from __future__ import annotations

import sys
from pathlib import Path

import duckdb

CONTRACT_SQL = r"""
create schema marts;
create schema ml;
create schema raw_shopify;
create schema raw_meta_ads;
create schema raw_fx;
create schema quarantine;

create table markets as
select * from (values
    ('US', 'NA', 'USD'), ('DE', 'EU', 'EUR'), ('GB', 'UK', 'GBP'),
    ('JP', 'JPKR', 'JPY'), ('SG', 'SEA', 'SGD'), ('BR', 'LATAM', 'BRL')
) as t(country_code, region, currency);

create table channels as
select * from (values
    ('paid_search', true), ('shopping', true), ('paid_social_meta', true), ('paid_social_tiktok', true),
    ('amazon_ads', true), ('email', false), ('affiliate_kol', false), ('organic_search', false),
    ('direct', false), ('referral', false)
) as t(channel, is_paid);

create table days as
select (date '2026-03-01' + i::integer) as date_day, i from range(60) as r(i);

create table marts.dim_markets as
select country_code, country_code || ' (name)' as country_name, region, currency as currency_code from markets;

create table marts.fct_kpi_daily as
select
    d.date_day,
    (10 + hash(d.i) % 7)::bigint as orders,
    (4 + hash(d.i) % 3)::bigint as new_customers,
    (1000 + 10 * d.i + hash(d.i) % 200)::decimal(18, 2) as gmv,
    (900 + 10 * d.i + hash(d.i) % 150)::decimal(18, 2) as net_revenue,
    (300 + hash(d.i) % 90)::decimal(18, 2) as ad_spend,
    0.25::decimal(18, 6) as repeat_purchase_rate,
    0.8::decimal(18, 6) as share_delivered_within_7_days
from days as d;

create table marts.fct_orders as
select
    'o' || d.i || '-' || m.country_code || '-' || k as order_id,
    'p' || (hash(d.i, m.country_code, k) % 300) as person_id,
    d.date_day as order_date,
    m.country_code as shipping_country_code,
    m.currency as currency_code,
    k = 2 and d.i % 9 = 0 as is_cancelled,
    k = 0 as is_first_order,
    d.i <= 52 and hash(d.i, k, m.country_code) % 5 <> 0 as is_delivered_within_7_days,
    (40 + hash(d.i, k) % 60)::decimal(18, 2) as net_revenue,
    (40 + hash(d.i, k) % 60)::decimal(18, 2) * 1.1 as net_revenue_local,
    (15 + hash(d.i, k) % 20)::decimal(18, 2) as contribution_before_ad_spend
from days as d
cross join markets as m
cross join range(3) as r(k);

create table marts.fct_ad_performance_daily as
select
    d.date_day,
    case c.channel when 'paid_search' then 'google_ads' when 'shopping' then 'google_ads'
        when 'paid_social_meta' then 'meta_ads' when 'paid_social_tiktok' then 'tiktok_ads' else 'amazon_ads' end as platform,
    c.channel,
    c.channel || '-campaign' as campaign_id,
    m.country_code,
    (20 + hash(d.i, c.channel, m.country_code) % 40)::decimal(18, 2) as spend,
    (1000 + hash(d.i, c.channel) % 500)::integer as impressions,
    (30 + hash(d.i, c.channel) % 20)::integer as clicks,
    (2 + hash(d.i, c.channel) % 3)::double as platform_conversions,
    (100 + hash(d.i, c.channel) % 80)::double as platform_conversion_value
from days as d
cross join channels as c
cross join markets as m
where c.is_paid;

create table marts.fct_funnel_daily as
select
    d.date_day,
    m.country_code as market_code,
    c.channel,
    dev.device_category,
    (500 + hash(d.i, c.channel, dev.device_category) % 100)::bigint as impressions,
    (50 + hash(d.i, c.channel) % 10)::bigint as ad_clicks,
    40::bigint as sessions,
    12::bigint as sessions_with_add_to_cart,
    6::bigint as sessions_with_checkout,
    3::bigint as orders
from days as d
cross join markets as m
cross join channels as c
cross join (values ('mobile'), ('desktop'), ('tablet')) as dev(device_category);

create table marts.fct_attribution as
select
    'o' || i as conversion_id,
    'p' || (i % 300) as person_id,
    't' || i || '-' || c.channel as touchpoint_id,
    c.channel,
    mdl.model,
    0.1::double as credit,
    (5 + i % 7)::decimal(18, 2) as attributed_revenue,
    (2 + i % 5)::decimal(18, 2) as incremental_attributed_revenue,
    (i % 3)::decimal(18, 2) as acquisition_repeat_revenue
from range(50) as r(i)
cross join channels as c
cross join (values ('first_touch'), ('last_touch'), ('last_non_direct'), ('linear'), ('time_decay'),
                   ('position_based'), ('markov'), ('shapley')) as mdl(model)
where c.channel <> 'amazon_ads';

create table marts.fct_journey_paths as
select
    'j' || i as journey_id,
    'p' || (i % 300) as person_id,
    (['paid_search', 'paid_social_meta > paid_search', 'email > direct', 'affiliate_kol > organic_search > direct'])[1 + i % 4] as path,
    i % 3 = 0 as converted,
    case when i % 3 = 0 then (50 + i % 20)::decimal(18, 2) end as conversion_value
from range(400) as r(i);

create table marts.fct_cohort_retention as
select
    (date '2026-03-01' + to_months(cm))::date as acquisition_month,
    k as months_since_acquisition,
    c.channel as acquisition_channel,
    m.country_code as market_code,
    100::bigint as cohort_customers,
    case when k = 0 then 100 else 30 - 5 * k end::bigint as active_customers,
    (1000 - 100 * k)::decimal(18, 2) as net_revenue
from range(2) as a(cm)
cross join range(3) as b(k)
cross join channels as c
cross join markets as m
where cm + k < 2;

create table marts.dim_customers as
select
    'p' || i as person_id,
    i < 250 as is_customer,
    case when i < 250 then (select list(channel) from channels)[1 + i % 10] end as acquisition_channel,
    (1 + i % 4)::bigint as orders,
    (60 * (1 + i % 4))::decimal(18, 2) as net_revenue,
    (50 + i % 40)::decimal(18, 2) as ltv_90d,
    (70 + i % 60)::decimal(18, 2) as ltv_180d,
    (['champions', 'loyal', 'at_risk', 'hibernating', 'new'])[1 + i % 5] as rfm_segment
from range(300) as r(i);

create table marts.fct_creator_performance as
select
    'c' || i as creator_id,
    '@creator' || i as creator_handle,
    (['KOL', 'KOC', 'UGC'])[1 + i % 3] as creator_tier,
    (['tiktok', 'instagram', 'youtube'])[1 + i % 3] as platform,
    (2 + i % 5)::integer as posts,
    (10000 * (1 + i % 9))::bigint as reach,
    (800 * (1 + i % 9))::bigint as engagements,
    (200 + i)::integer as sessions,
    (5 + i % 11)::integer as orders,
    (300 + 40 * i)::decimal(18, 2) as attributed_revenue,
    (150 + 10 * i)::decimal(18, 2) as creator_cost
from range(12) as r(i);

create table marts.fct_content_performance as
select
    'post' || i as post_id,
    '@creator' || (i % 12) as creator_handle,
    (['tiktok', 'instagram', 'youtube'])[1 + i % 3] as platform,
    timestamp '2026-03-01 08:00:00' + to_hours(i * 7) as posted_at,
    (5000 + 300 * i)::bigint as reach,
    (400 + 20 * i)::bigint as engagements,
    (40 + i)::integer as sessions,
    (1 + i % 4)::integer as orders,
    (60 + 9 * i)::decimal(18, 2) as attributed_revenue,
    (40 + i)::decimal(18, 2) as cost
from range(40) as r(i);

create table marts.fct_referrals as
select
    'r' || i as referral_id,
    (['whatsapp', 'email', 'copy_link', 'facebook'])[1 + i % 4] as share_channel,
    (1 + i % 3)::integer as tree_depth,
    i % 5 = 0 as is_converted,
    case when i % 5 = 0 then 55.0 end::decimal(18, 2) as referee_net_revenue
from range(80) as r(i);

create table marts.fct_threshold_breaches as
select * from (values
    ('cac_max_paid_social_tiktok_BR', 'cac', 'paid_social_tiktok', 'BR', 48.2, 40.0, 'cut spend')
) as t(rule_id, metric, channel, market, metric_value, threshold, suggested_action);

create table ml.customer_scores as
select
    'p' || i as person_id,
    (0.2 + (i % 8) / 10)::double as p_alive,
    ((i % 5) / 2)::double as expected_orders_90d,
    (10 + i % 90)::double as expected_revenue_90d,
    ((i % 7) / 2)::double as expected_orders_180d,
    (20 + i % 150)::double as expected_revenue_180d,
    ((i % 10) / 10 + 0.05)::double as churn_score
from range(300) as r(i);

create table ml.segments as
select
    'p' || i as person_id,
    (['bargain hunters', 'loyal big spenders', 'one-off gifters', 'new and curious'])[1 + i % 4] as segment_label
from range(300) as r(i);

create table ml.experiment_results as
select * from (values
    ('exp1', 'free shipping banner', 'control', true, 5000, 150, 0.030, null, null, null, null, null, 0.41, 'winner'),
    ('exp1', 'free shipping banner', 'banner', false, 5020, 185, 0.0369, 0.0069, 0.23, 0.0002, 0.0136, 0.041, 0.41, 'winner'),
    ('exp2', 'checkout copy (A/A)', 'control', true, 4000, 120, 0.030, null, null, null, null, null, 0.0001, 'unhealthy'),
    ('exp2', 'checkout copy (A/A)', 'copy', false, 4500, 133, 0.0296, -0.0004, -0.013, -0.0074, 0.0066, 0.91, 0.0001, 'unhealthy')
) as t(experiment_id, experiment_name, variant_name, is_control, users, conversions, conversion_rate,
       absolute_lift, relative_lift, ci_lower, ci_upper, p_value, srm_p_value, verdict);

create table ml.kpi_anomalies as
select
    d.date_day,
    kpi.kpi,
    m.country_code as market,
    100.0 + (hash(d.i, kpi.kpi) % 10) as actual_value,
    100.0 as expected_value,
    90.0 as lower_bound,
    110.0 as upper_bound,
    d.i = 59 and kpi.kpi = 'net_revenue' and m.country_code = 'DE' as is_anomaly,
    'paid_social_meta' as largest_contributor
from days as d
cross join (values ('net_revenue'), ('spend'), ('orders')) as kpi(kpi)
cross join markets as m;

create table ml.forecasts as
select
    date '2026-04-30' + i::integer as date_day,
    m.country_code as market,
    metric.metric,
    (900 + i)::double as forecast_value,
    (800 + i)::double as lower_bound,
    (1000 + i)::double as upper_bound
from range(1, 31) as r(i)
cross join markets as m
cross join (values ('net_revenue'), ('spend')) as metric(metric);

create table ml.budget_suggestions as
select * from (values
    ('paid_search', 600.0, 690.0, 1800.0, 2010.0, 2.1, 'below saturation: raise within +30%', 2000.0),
    ('shopping', 400.0, 440.0, 1300.0, 1390.0, 2.0, 'raise', 2000.0),
    ('paid_social_meta', 500.0, 400.0, 1200.0, 1150.0, 0.9, 'saturated: cut', 2000.0),
    ('paid_social_tiktok', 300.0, 270.0, 700.0, 690.0, 1.1, 'CAC over threshold in BR: held', 2000.0),
    ('amazon_ads', 200.0, 200.0, 650.0, 650.0, 1.6, 'held', 2000.0)
) as t(channel, current_daily_spend, suggested_daily_spend, expected_revenue_current,
       expected_revenue_suggested, marginal_roas, reason, total_budget);

create table ml.budget_suggestions_by_market as
select * from (values
    ('paid_search', 'US', 300.0, 390.0, 900.0, 1050.0, 2.1, 'increase', null, 'increase: marginal ROAS 2.4', 2000.0),
    ('paid_search', 'DE', 100.0, 70.0, 250.0, 200.0, 1.8, 'cut', 'cut', 'cut: cac in DE 80 > threshold 60', 2000.0),
    ('paid_social_meta', 'US', 200.0, 140.0, 300.0, 250.0, 0.9, 'decrease', null, 'decrease: marginal ROAS 0.8',
     2000.0)
) as t(channel, market, current_daily_spend, suggested_daily_spend, expected_revenue_current,
       expected_revenue_suggested, marginal_roas, action, rule, reason, total_budget);

create table raw_shopify._dlt_loads as
select '1772000000.1' as load_id, 'shopify' as schema_name, 0 as status,
       timestamptz '2026-04-30 02:00:00+00' as inserted_at;
create table raw_meta_ads._dlt_loads as
select '1772000000.2' as load_id, 'meta_ads' as schema_name, 0 as status,
       timestamptz '2026-04-30 01:00:00+00' as inserted_at;
create table raw_shopify.shopify_rejects as
select 'bad date' as reason, '{"created_at": "2026-13-45"}' as raw_payload from range(3);
create table quarantine.stg_quarantine__records as
select 'meta_ads' as source_name, 'negative_spend' as quarantine_rule, true as blocks_budget_models from range(2);
"""


def build_contract_warehouse(path: Path | str) -> Path:
    """Write the contract warehouse to `path` (replacing it) and return the path."""
    path = Path(path)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        con.execute(CONTRACT_SQL)
        con.execute("drop table markets; drop table channels; drop table days;")
    finally:
        con.close()
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "contract_warehouse.duckdb")
    print(build_contract_warehouse(target))
