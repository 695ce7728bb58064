{#-
    One row per whole day between a converting journey's first eligible touchpoint and the order
    (0 = same day): the time-to-conversion distribution.
-#}
with

journeys as (

    select * from {{ ref('fct_journey_paths') }}
    where
        converted
        and days_to_conversion is not null

),

days as (

    select
        cast(floor(days_to_conversion) as {{ dbt.type_int() }}) as days_to_conversion,
        count(*) as conversions,
        sum(conversion_value) as conversion_value
    from journeys
    group by cast(floor(days_to_conversion) as {{ dbt.type_int() }})

),

final as (

    select
        days_to_conversion,
        cast(conversions as {{ dbt.type_bigint() }}) as conversions,
        cast(conversion_value as {{ type_money() }}) as conversion_value,
        cast({{ safe_ratio('conversions', 'sum(conversions) over ()') }} as {{ type_double() }}) as share_of_conversions,
        cast(
            {{ safe_ratio(
                'sum(conversions) over (order by days_to_conversion rows between unbounded preceding and current row)',
                'sum(conversions) over ()'
            ) }} as {{ type_double() }}
        ) as cumulative_share_of_conversions
    from days

)

select * from final
