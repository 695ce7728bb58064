{#-
    Conversion × eligible touchpoint × model. The six rule-based models are computed here; the
    Markov and Shapley models are fitted by the Python asset `attribution_data_driven_models`
    (orchestration/defs/attribution), which writes each model's channel credit for every channel
    set to ml.attribution_channel_set_credits. This model applies it to the current eligible
    touchpoints: the conversion's channel set selects the channel credits, each split equally over
    the conversion's touchpoints of that channel. A model's exposure_window_days (Shapley: the window
    of its person-day conversion model; Markov: null) limits set and split to the touchpoints within
    that many days before the conversion (all of them when none is); the others get credit 0. Before
    the first Python run the tables do not exist and only the six rule-based models are built (macro
    existing_source_relation).

    Incremental attributed revenue: the same Python asset writes ml.attribution_baseline_shares, the
    share of a conversion Shapley's conversion model ascribes to the customer alone, per channel set
    (within the window) × returning customer. Every model's credit then hands out only the rest of the
    conversion's value (incremental_attributed_revenue), and a person's first conversion carries what
    their later conversions owe to their being a customer (acquisition_repeat_revenue); credits and
    attributed_revenue are unchanged. Null before the first Python run, or for a conversion whose
    channel set holds a channel the fit has not seen.
-#}
{%- set half_life_days = var('time_decay_half_life_days', 7) -%}
{%- set channel_set_credits_relation = existing_source_relation('ml', 'attribution_channel_set_credits') -%}
{%- set baseline_shares_relation = existing_source_relation('ml', 'attribution_baseline_shares') -%}
{%- set journey_paths_relation = ref('fct_journey_paths') -%}

with

eligible as (

    select * from {{ ref('int_attribution__eligible_touchpoints') }}

),

conversion_positions as (

    select
        conversion_id,
        max(case when channel <> 'direct' then touchpoint_position end) as last_non_direct_position,
        sum(power(2.0, -1.0 * days_before_conversion / {{ half_life_days }})) as time_decay_weight_total
    from eligible
    group by conversion_id

),

rule_based_credits as (

    select
        eligible.conversion_touchpoint_id,
        case when eligible.touchpoint_position = 0 then 1.0 else 0.0 end as first_touch,
        case
            when eligible.touchpoint_position = eligible.conversion_touchpoints - 1 then 1.0 else 0.0
        end as last_touch,
        case
            when
                eligible.touchpoint_position
                = coalesce(conversion_positions.last_non_direct_position, eligible.conversion_touchpoints - 1)
                then 1.0
            else 0.0
        end as last_non_direct,
        1.0 / eligible.conversion_touchpoints as linear,
        power(2.0, -1.0 * eligible.days_before_conversion / {{ half_life_days }})
        / conversion_positions.time_decay_weight_total as time_decay,
        case
            when eligible.conversion_touchpoints = 1 then 1.0
            when eligible.conversion_touchpoints = 2 then 0.5
            when
                eligible.touchpoint_position = 0
                or eligible.touchpoint_position = eligible.conversion_touchpoints - 1
                then 0.4
            else 0.2 / (eligible.conversion_touchpoints - 2)
        end as position_based
    from eligible
    inner join conversion_positions
        on eligible.conversion_id = conversion_positions.conversion_id

),

{%- set has_fitted_tables = channel_set_credits_relation is not none or baseline_shares_relation is not none %}

rule_based_long as (

    {%- for model_name in attribution_rule_models() %}
    select
        conversion_touchpoint_id,
        '{{ model_name }}' as model,  -- contract column name -- noqa: RF04
        cast({{ model_name }} as {{ type_double() }}) as credit,
        false as is_fallback_credit
    from rule_based_credits
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

{%- if has_fitted_tables %}

model_windows as (

    {#- the days before a conversion whose touchpoints count for each fitted model (null: the whole lookback);
        `baseline` stands for the baseline shares #}
    {%- if channel_set_credits_relation is not none %}
    select distinct
        model,
        exposure_window_days
    from {{ channel_set_credits_relation }}
    {%- endif %}
    {%- if channel_set_credits_relation is not none and baseline_shares_relation is not none %}
    union all
    {%- endif %}
    {%- if baseline_shares_relation is not none %}
    select distinct
        'baseline' as model,  -- contract column name -- noqa: RF04
        exposure_window_days
    from {{ baseline_shares_relation }}
    {%- endif %}

),

windowed_touchpoints as (

    select
        eligible.conversion_touchpoint_id,
        eligible.conversion_id,
        eligible.channel,
        model_windows.model,
        model_windows.exposure_window_days is null
        or {{ dbt.datediff(
            dbt.cast('eligible.touched_at', 'date'), dbt.cast('eligible.converted_at', 'date'), 'day'
        ) }} < model_windows.exposure_window_days as is_in_window
    from eligible
    cross join model_windows

),

windowed_conversions as (

    select
        conversion_id,
        model,
        {{ dbt.bool_or('is_in_window') }} as has_exposure
    from windowed_touchpoints
    group by
        conversion_id,
        model

),

counted_touchpoints as (

    {#- a conversion with no touchpoint in the window keeps them all for its credit (docs/attribution.md) #}
    select
        windowed_touchpoints.conversion_touchpoint_id,
        windowed_touchpoints.conversion_id,
        windowed_touchpoints.channel,
        windowed_touchpoints.model,
        windowed_conversions.has_exposure
    from windowed_touchpoints
    inner join windowed_conversions
        on
            windowed_touchpoints.conversion_id = windowed_conversions.conversion_id
            and windowed_touchpoints.model = windowed_conversions.model
    where windowed_touchpoints.is_in_window or not windowed_conversions.has_exposure

),

conversion_channels as (

    select
        conversion_id,
        model,
        channel,
        has_exposure,
        count(*) as channel_touchpoints
    from counted_touchpoints
    group by
        conversion_id,
        model,
        channel,
        has_exposure

),

conversion_channel_sets as (

    select
        conversion_id,
        model,
        has_exposure,
        count(*) as distinct_channels,
        {{ dbt.listagg('channel', "','", 'order by channel') }} as channel_set
    from conversion_channels
    group by
        conversion_id,
        model,
        has_exposure

),

{%- endif %}

{%- if baseline_shares_relation is not none %}

journeys as (

    select
        conversion_id,
        person_id,
        conversion_value,
        is_returning_customer
    from {{ journey_paths_relation }}
    where journey_type = 'conversion'

),

baseline_shares as (

    select
        channel_set,
        is_returning_customer,
        baseline_share,
        returning_share
    from {{ baseline_shares_relation }}

),

baseline_channel_sets as (

    {#- no touchpoint within the window: the empty set "", whose baseline share is 1 #}
    select
        conversion_id,
        case when has_exposure then channel_set else '' end as channel_set
    from conversion_channel_sets
    where model = 'baseline'

),

conversion_baseline as (

    {#- every conversion, with or without touchpoints; null shares when its set holds a channel the fit has not seen #}
    select
        journeys.conversion_id,
        journeys.person_id,
        journeys.conversion_value,
        journeys.is_returning_customer,
        baseline_shares.baseline_share,
        baseline_shares.returning_share
    from journeys
    left join baseline_channel_sets
        on journeys.conversion_id = baseline_channel_sets.conversion_id
    left join baseline_shares
        on
            coalesce(baseline_channel_sets.channel_set, '') = baseline_shares.channel_set
            and journeys.is_returning_customer = baseline_shares.is_returning_customer

),

person_repeat_revenue as (

    {#- what a customer's later conversions owe to their being a customer: carried back to the acquisition #}
    select
        person_id,
        sum(conversion_value * returning_share) as repeat_revenue
    from conversion_baseline
    where is_returning_customer
    group by person_id

),

{%- endif %}

{%- if channel_set_credits_relation is not none %}

channel_set_credits as (

    select
        model,
        channel_set,
        channel,
        channel_credit
    from {{ channel_set_credits_relation }}

),

fitted_channel_sets as (

    select distinct
        model,
        channel_set
    from channel_set_credits

),

conversion_models as (

    select
        conversion_channel_sets.conversion_id,
        conversion_channel_sets.model,
        conversion_channel_sets.channel_set,
        conversion_channel_sets.distinct_channels,
        fitted_channel_sets.channel_set is null as is_fallback_credit
    from conversion_channel_sets
    left join fitted_channel_sets
        on
            conversion_channel_sets.model = fitted_channel_sets.model
            and conversion_channel_sets.channel_set = fitted_channel_sets.channel_set
    where conversion_channel_sets.model <> 'baseline'

),

data_driven_channel_credits as (

    select
        conversion_models.conversion_id,
        conversion_models.model,
        conversion_channels.channel,
        conversion_channels.channel_touchpoints,
        case
            when conversion_models.is_fallback_credit then 1.0 / conversion_models.distinct_channels
            else coalesce(channel_set_credits.channel_credit, 0.0)
        end as channel_credit
    from conversion_models
    inner join conversion_channels
        on
            conversion_models.conversion_id = conversion_channels.conversion_id
            and conversion_models.model = conversion_channels.model
    left join channel_set_credits
        on
            conversion_models.model = channel_set_credits.model
            and conversion_models.channel_set = channel_set_credits.channel_set
            and conversion_channels.channel = channel_set_credits.channel

),

data_driven_long as (

    {#- every eligible touchpoint gets a row per model; those outside the model's window get credit 0 #}
    select
        eligible.conversion_touchpoint_id,
        conversion_models.model,
        cast(
            case
                when counted_touchpoints.conversion_touchpoint_id is not null
                    then
                        data_driven_channel_credits.channel_credit
                        / data_driven_channel_credits.channel_touchpoints
                else 0.0
            end as {{ type_double() }}
        ) as credit,
        conversion_models.is_fallback_credit
    from eligible
    inner join conversion_models
        on eligible.conversion_id = conversion_models.conversion_id
    left join counted_touchpoints
        on
            eligible.conversion_touchpoint_id = counted_touchpoints.conversion_touchpoint_id
            and conversion_models.model = counted_touchpoints.model
    left join data_driven_channel_credits
        on
            eligible.conversion_id = data_driven_channel_credits.conversion_id
            and conversion_models.model = data_driven_channel_credits.model
            and eligible.channel = data_driven_channel_credits.channel

),

credits as (

    select * from rule_based_long
    union all
    select * from data_driven_long

),

{%- else %}

credits as (

    select * from rule_based_long

),

{%- endif %}

final as (

    select
        {{ compound_key(['eligible.conversion_id', 'eligible.touchpoint_id', 'credits.model']) }} as attribution_id,
        eligible.conversion_id,
        eligible.person_id,
        eligible.touchpoint_id,
        credits.model,
        eligible.channel,
        eligible.touchpoint_type,
        eligible.platform,
        eligible.campaign_id,
        eligible.ad_id,
        eligible.creator_id,
        eligible.post_id,
        eligible.market_code,
        eligible.sales_channel,
        eligible.is_first_order,
        credits.model in ('markov', 'shapley') as is_data_driven,
        credits.is_fallback_credit,
        eligible.touchpoint_position,
        eligible.conversion_touchpoints,
        credits.credit,
        cast(eligible.conversion_value as {{ type_money() }}) as conversion_value,
        cast(credits.credit * eligible.conversion_value as {{ type_money() }}) as attributed_revenue,
        {%- if baseline_shares_relation is not none %}
        cast(conversion_baseline.baseline_share as {{ type_double() }}) as baseline_share,
        cast(
            credits.credit * eligible.conversion_value * (1 - conversion_baseline.baseline_share)
            as {{ type_money() }}
        ) as incremental_attributed_revenue,
        cast(
            case
                when conversion_baseline.is_returning_customer then 0.0
                else credits.credit * (1 - conversion_baseline.baseline_share)
                    * coalesce(person_repeat_revenue.repeat_revenue, 0.0)
            end as {{ type_money() }}
        ) as acquisition_repeat_revenue,
        {%- else %}
        cast(null as {{ type_double() }}) as baseline_share,
        cast(null as {{ type_money() }}) as incremental_attributed_revenue,
        cast(null as {{ type_money() }}) as acquisition_repeat_revenue,
        {%- endif %}
        cast(credits.credit * eligible.contribution_before_ad_spend as {{ type_money() }})
            as attributed_contribution_before_ad_spend,
        eligible.days_before_conversion,
        eligible.conversion_date,
        eligible.converted_at,
        eligible.touched_at
    from credits
    inner join eligible
        on credits.conversion_touchpoint_id = eligible.conversion_touchpoint_id
    {%- if baseline_shares_relation is not none %}
    left join conversion_baseline
        on eligible.conversion_id = conversion_baseline.conversion_id
    left join person_repeat_revenue
        on conversion_baseline.person_id = person_repeat_revenue.person_id
    {%- endif %}

)

select * from final
