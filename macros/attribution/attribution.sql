{#-
    Attribution helpers (models/marts/attribution, models/marts/performance).
    Decisions are documented in docs/decisions.md ("Attribution marts") and in the models' YAML.
-#}

{#- The eight model names, in reporting order: six rule-based (SQL), then the two data-driven (Python). -#}
{% macro attribution_rule_models() -%}
    {{ return(['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based']) }}
{%- endmacro %}

{% macro attribution_data_driven_models() -%}
    {{ return(['markov', 'shapley']) }}
{%- endmacro %}

{% macro attribution_models() -%}
    {{ return(attribution_rule_models() + attribution_data_driven_models()) }}
{%- endmacro %}

{#- The channel label of conversions without any eligible touchpoint (never spread over channels). -#}
{% macro unattributed_channel() -%}
    'unattributed'
{%- endmacro %}

{#-
    The relation of a Python-written `ml` table when it exists in the warehouse, else none.
    `source()` is always called, so the dependency is in the DAG (and in Dagster's lineage) even
    before the first Python run; the union it guards is only emitted once the table exists. A plain
    `dbt build` before any Python asset has run therefore still works (data-driven rows absent).
-#}
{% macro existing_source_relation(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute or relation.schema is none or relation.identifier is none -%}
        {#- parsing, or a unit test (source() then names a fixture, not a warehouse relation) -#}
        {{ return(none) }}
    {%- endif -%}
    {%- set existing = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {{ return(relation if existing is not none else none) }}
{%- endmacro %}

{#-
    Fractional days from `start_at` to `end_at` (millisecond resolution): the age used by time decay
    and by the "days to conversion" columns. dbt.datediff counts boundaries, so milliseconds keep the
    error below 1e-9 of a day's weight.
-#}
{% macro fractional_days_between(start_at, end_at) -%}
    ({{ dbt.datediff(start_at, end_at, 'millisecond') }} / 86400000.0)
{%- endmacro %}

{#- Milliseconds from `start_at` to `end_at` (integer). -#}
{% macro milliseconds_between(start_at, end_at) -%}
    {{ dbt.datediff(start_at, end_at, 'millisecond') }}
{%- endmacro %}

{#- `numerator / denominator`, null when the denominator is 0 or null (ratios of the performance marts). -#}
{% macro safe_ratio(numerator, denominator, scale=1) -%}
    case
        when coalesce({{ denominator }}, 0) = 0 then null
        else {{ scale }} * cast({{ numerator }} as {{ type_double() }}) / {{ denominator }}
    end
{%- endmacro %}

{#-
    A campaign / message name as a UTM slug: lower-case, every run of non-alphanumeric characters
    as one '_', no leading/trailing '_' ("Newsletter EU 2026-04-03" -> 'newsletter_eu_2026_04_03').
    Matches landings tagged with the name instead of the id. Dispatched: regular expressions differ.
-#}
{% macro utm_slug(column) -%}
    {{ return(adapter.dispatch('utm_slug')(column)) }}
{%- endmacro %}

{% macro default__utm_slug(column) -%}
    trim(both '_' from regexp_replace(lower(cast({{ column }} as {{ dbt.type_string() }})), '[^a-z0-9]+', '_', 'g'))
{%- endmacro %}

{% macro bigquery__utm_slug(column) -%}
    trim(regexp_replace(lower(cast({{ column }} as string)), r'[^a-z0-9]+', '_'), '_')
{%- endmacro %}

{% macro spark__utm_slug(column) -%}
    trim(both '_' from regexp_replace(lower(cast({{ column }} as string)), '[^a-z0-9]+', '_'))
{%- endmacro %}

{% macro snowflake__utm_slug(column) -%}
    trim(regexp_replace(lower(cast({{ column }} as varchar)), '[^a-z0-9]+', '_'), '_')
{%- endmacro %}

{#-
    Month start of a date as a date (dbt.date_trunc returns a timestamp on some engines).
-#}
{% macro month_start(column) -%}
    cast({{ dbt.date_trunc('month', column) }} as date)
{%- endmacro %}

{#- Median of a numeric column (aggregate). Dispatched: DuckDB has median(); ANSI engines take percentile_cont. -#}
{% macro median(column) -%}
    {{ return(adapter.dispatch('median')(column)) }}
{%- endmacro %}

{% macro default__median(column) -%}
    percentile_cont(0.5) within group (order by {{ column }})
{%- endmacro %}

{% macro duckdb__median(column) -%}
    median({{ column }})
{%- endmacro %}

{% macro bigquery__median(column) -%}
    approx_quantiles({{ column }}, 2)[offset(1)]
{%- endmacro %}

{% macro spark__median(column) -%}
    percentile_approx({{ column }}, 0.5)
{%- endmacro %}

{#-
    A 64-bit floating point type for credits, shares and ratios. type_double() is 32-bit `float` on
    DuckDB (REAL), too coarse for credits that must sum to 1 within 1e-9.
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
