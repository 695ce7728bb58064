{#-
    One row per marketing channel: the channels of the `channel_mapping` seed plus `amazon_ads`,
    which has no user-level touchpoints (aggregate reports only, docs/contract.md section 1).
-#}
with

channel_mapping as (

    select * from {{ ref('channel_mapping') }}

),

mapped_channels as (

    select
        channel,
        min(channel_group) as channel_group,
        min(paid_owned_earned) as paid_owned_earned,
        {{ dbt.bool_or('is_paid') }} as is_paid,
        min(priority) as first_rule_priority,
        true as has_user_level_touchpoints
    from channel_mapping
    group by channel

),

aggregate_only_channels as (

    select
        'amazon_ads' as channel,
        'Amazon Ads' as channel_group,
        'paid' as paid_owned_earned,
        true as is_paid,
        cast(null as {{ dbt.type_int() }}) as first_rule_priority,
        false as has_user_level_touchpoints

),

channels as (

    select * from mapped_channels
    union all
    select * from aggregate_only_channels
    where channel not in (select mapped_channels.channel from mapped_channels)

)

select * from channels
