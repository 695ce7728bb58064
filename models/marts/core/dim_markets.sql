with

countries as (

    select * from {{ ref('countries') }}

),

currencies as (

    select * from {{ ref('currencies') }}

),

markets as (

    select
        countries.country_code,
        countries.country_name,
        countries.region,
        countries.currency_code,
        currencies.currency_name,
        currencies.minor_units as currency_minor_units,
        countries.vat_standard_rate,
        countries.timezone
    from countries
    left join currencies
        on countries.currency_code = currencies.currency_code

)

select * from markets
