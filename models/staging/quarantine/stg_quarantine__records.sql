{#-
    Every staged record that broke a business rule, from the base_* models that check them.
    record_key matches the key column of the staging model the record was kept out of.
-#}
{%- set checked_models = [
    ('shopify.orders', 'base_shopify__orders', 'order_id'),
    ('shopify.order_lines', 'base_shopify__order_lines', 'order_line_id'),
    ('amazon_sp.orders', 'base_amazon_sp__orders', 'amazon_order_id'),
    ('amazon_sp.order_items', 'base_amazon_sp__order_items', 'amazon_order_item_key'),
    ('google_ads.ad_metrics_daily', 'base_google_ads__ad_metrics_daily', 'ad_metric_key'),
    ('meta_ads.insights_daily', 'base_meta_ads__insights_daily', 'ad_metric_key'),
    ('tiktok_ads.report_daily', 'base_tiktok_ads__report_daily', 'ad_metric_key'),
    ('amazon_ads.sp_daily', 'base_amazon_ads__sp_daily', 'ad_metric_key'),
    ('creators.fees', 'base_creators__fees', 'creator_fee_id'),
    ('logistics.shipments', 'base_logistics__shipments', 'shipment_id'),
    ('payments.payment_attempts', 'base_payments__payment_attempts', 'payment_attempt_id'),
] -%}

with

{% for source_entity, model_name, key_column in checked_models %}
{{ model_name | replace('base_', 'quarantined_') }} as (
    select
        '{{ source_entity }}' as source_entity,
        cast({{ key_column }} as {{ dbt.type_string() }}) as record_key,
        quarantine_rule,
        quarantine_details,
        loaded_at
    from {{ ref(model_name) }}
    where quarantine_rule is not null
),

{% endfor %}
unioned as (
    {%- for source_entity, model_name, key_column in checked_models %}
    select * from {{ model_name | replace('base_', 'quarantined_') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

rules as (
    select * from {{ ref('quarantine_rules') }}
)

select
    {{ compound_key(['unioned.source_entity', 'unioned.record_key']) }} as quarantine_record_key,
    unioned.source_entity,
    {{ dbt.split_part('unioned.source_entity', "'.'", 1) }} as source_name,
    unioned.record_key,
    unioned.quarantine_rule,
    unioned.quarantine_details,
    rules.blocks_budget_models,
    unioned.loaded_at
from unioned
left join rules
    on unioned.quarantine_rule = rules.rule_code
