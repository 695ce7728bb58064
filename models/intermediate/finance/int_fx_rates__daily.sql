{#-
    Rates per 1 EUR (ECB style) to a rate from each currency to the reporting currency,
    for every calendar day: rate(ccy -> rpt) = rate_per_eur(rpt) / rate_per_eur(ccy).
    Days without a published rate (weekends, holidays, 'N/A' gaps) take the nearest previous
    published rate of that currency. EUR has no column in the ECB file: its rate per EUR is 1.
    The calendar covers var('fx_calendar_days') days before as_of_date, from
    var('fx_backfill_days') days before the first published rate on: an ad account west of UTC
    reports a local day that starts before the first UTC day of the data, and takes the first
    published rate of its currency (`is_carried_backward`).
-#}
with

rates as (

    select
        rate_date,
        currency_code,
        rate_per_eur
    from {{ ref('stg_fx__rates') }}
    where rate_per_eur > 0

),

currencies as (

    select currency_code
    from {{ ref('currencies') }}

),

published_rates as (

    select
        rate_date,
        currency_code,
        rate_per_eur
    from rates
    where currency_code <> 'EUR'

    union all

    select distinct
        rate_date,
        'EUR' as currency_code,
        cast(1 as {{ dbt.type_numeric() }}) as rate_per_eur
    from rates

),

calendar as (

    {{ dbt.date_spine(
        datepart='day',
        start_date=dbt.dateadd('day', -1 * var('fx_calendar_days', 3660), as_of_date()),
        end_date=dbt.dateadd('day', 1, as_of_date())
    ) }}

),

calendar_days as (

    select cast(calendar.date_day as date) as rate_date
    from calendar
    where
        cast(calendar.date_day as date)
        >= (
            select {{ dbt.dateadd('day', -1 * var('fx_backfill_days', 3), 'min(rates.rate_date)') }} as first_day
            from rates
        )

),

currency_days as (

    select
        calendar_days.rate_date,
        currencies.currency_code
    from calendar_days
    cross join currencies

),

currency_days_with_published as (

    select
        currency_days.rate_date,
        currency_days.currency_code,
        published_rates.rate_date as published_rate_date
    from currency_days
    left join published_rates
        on
            currency_days.rate_date = published_rates.rate_date
            and currency_days.currency_code = published_rates.currency_code

),

nearest_published as (

    select
        rate_date,
        currency_code,
        coalesce(
            max(published_rate_date) over (
                partition by currency_code
                order by rate_date
                rows between unbounded preceding and current row
            ),
            min(published_rate_date) over (
                partition by currency_code
                order by rate_date
                rows between current row and unbounded following
            )
        ) as published_rate_date
    from currency_days_with_published

),

rates_per_eur_filled as (

    select
        nearest_published.rate_date,
        nearest_published.currency_code,
        nearest_published.published_rate_date,
        published_rates.rate_per_eur
    from nearest_published
    inner join published_rates
        on
            nearest_published.published_rate_date = published_rates.rate_date
            and nearest_published.currency_code = published_rates.currency_code

),

reporting_rate as (

    select
        rate_date,
        rate_per_eur as reporting_rate_per_eur
    from rates_per_eur_filled
    where currency_code = '{{ var("reporting_currency", "USD") }}'

),

rates_to_reporting as (

    select
        rates_per_eur_filled.rate_date,
        rates_per_eur_filled.currency_code,
        '{{ var("reporting_currency", "USD") }}' as reporting_currency,
        rates_per_eur_filled.published_rate_date,
        rates_per_eur_filled.rate_per_eur,
        cast(
            reporting_rate.reporting_rate_per_eur / rates_per_eur_filled.rate_per_eur
            as decimal(38, 12)
        ) as rate_to_reporting,
        rates_per_eur_filled.rate_date > rates_per_eur_filled.published_rate_date as is_carried_forward,
        rates_per_eur_filled.rate_date < rates_per_eur_filled.published_rate_date as is_carried_backward
    from rates_per_eur_filled
    inner join reporting_rate
        on rates_per_eur_filled.rate_date = reporting_rate.rate_date

)

select * from rates_to_reporting
