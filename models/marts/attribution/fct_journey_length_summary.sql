{#- One row per journey type × path length (touchpoints after dedupe): the path-length distribution. -#}
with

journeys as (

    select * from {{ ref('fct_journey_paths') }}

),

lengths as (

    select
        journey_type,
        touchpoints as path_length,
        count(*) as journeys,
        sum(case when converted then 1 else 0 end) as conversions,
        sum(case when converted then conversion_value else 0 end) as conversion_value,
        avg(days_to_conversion) as average_days_to_conversion,
        {{ median('days_to_conversion') }} as median_days_to_conversion
    from journeys
    group by
        journey_type,
        touchpoints

),

final as (

    select
        {{ compound_key(['journey_type', 'path_length']) }} as journey_length_key,
        journey_type,
        cast(path_length as {{ dbt.type_int() }}) as path_length,
        cast(journeys as {{ dbt.type_bigint() }}) as journeys,
        cast(conversions as {{ dbt.type_bigint() }}) as conversions,
        cast(
            {{ safe_ratio('journeys', 'sum(journeys) over (partition by journey_type)') }} as {{ type_double() }}
        ) as share_of_journeys,
        cast(conversion_value as {{ type_money() }}) as conversion_value,
        cast(average_days_to_conversion as {{ type_double() }}) as average_days_to_conversion,
        cast(median_days_to_conversion as {{ type_double() }}) as median_days_to_conversion
    from lengths

)

select * from final
