{#- One row per distinct journey path: how often it occurs, converts and how fast. -#}
with

journeys as (

    select * from {{ ref('fct_journey_paths') }}

),

path_totals as (

    select
        path,
        max(touchpoints) as path_length,
        max(distinct_channels) as distinct_channels,
        count(*) as journeys,
        sum(case when converted then 1 else 0 end) as conversions,
        sum(case when is_censored then 1 else 0 end) as censored_journeys,
        sum(case when converted then conversion_value else 0 end) as conversion_value,
        avg(days_to_conversion) as average_days_to_conversion,
        {{ median('days_to_conversion') }} as median_days_to_conversion
    from journeys
    group by path

),

ranked as (

    select
        *,
        row_number() over (order by conversions desc, journeys desc, path asc) as path_rank
    from path_totals

),

final as (

    select
        path,
        cast(path_rank as {{ dbt.type_int() }}) as path_rank,
        cast(path_length as {{ dbt.type_int() }}) as path_length,
        cast(distinct_channels as {{ dbt.type_int() }}) as distinct_channels,
        path = '' as is_unattributed,
        cast(journeys as {{ dbt.type_bigint() }}) as journeys,
        cast(conversions as {{ dbt.type_bigint() }}) as conversions,
        cast(journeys - conversions as {{ dbt.type_bigint() }}) as non_converting_journeys,
        cast(censored_journeys as {{ dbt.type_bigint() }}) as censored_journeys,
        cast({{ safe_ratio('conversions', 'journeys') }} as {{ type_double() }}) as conversion_rate,
        cast(conversion_value as {{ type_money() }}) as conversion_value,
        cast({{ safe_ratio('conversion_value', 'conversions') }} as {{ type_money() }}) as average_conversion_value,
        cast(average_days_to_conversion as {{ type_double() }}) as average_days_to_conversion,
        cast(median_days_to_conversion as {{ type_double() }}) as median_days_to_conversion
    from ranked

)

select * from final
