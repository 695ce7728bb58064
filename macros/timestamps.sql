{#-
    Timestamps in staging are naive TIMESTAMP values in UTC (columns ending in `_at`).
-#}

{#-
    An ISO-8601 string with an offset ('2026-04-03T14:21:09+08:00', '...Z'), or a value the
    loader already typed as timestamp-with-time-zone, as a naive UTC timestamp.
    Strings without an offset are read as UTC (the profile pins the session to UTC).
-#}
{% macro as_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('as_utc_timestamp', 'xborder')(column)) }}
{%- endmacro %}

{% macro default__as_utc_timestamp(column) -%}
    cast({{ column }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__as_utc_timestamp(column) -%}
    timezone('UTC', cast({{ column }} as timestamptz))
{%- endmacro %}

{% macro spark__as_utc_timestamp(column) -%}
    to_utc_timestamp(to_timestamp({{ column }}), 'UTC')
{%- endmacro %}

{#-
    A local wall-clock timestamp (no offset) in the IANA timezone `timezone` (a column or a
    quoted literal), converted to a naive UTC timestamp. DST gaps/overlaps follow the engine.
-#}
{% macro to_utc(column, timezone) -%}
    {{ return(adapter.dispatch('to_utc', 'xborder')(column, timezone)) }}
{%- endmacro %}

{% macro default__to_utc(column, timezone) -%}
    convert_timezone({{ timezone }}, 'UTC', cast({{ column }} as {{ dbt.type_timestamp() }}))
{%- endmacro %}

{% macro duckdb__to_utc(column, timezone) -%}
    timezone('UTC', timezone({{ timezone }}, cast({{ column }} as timestamp)))
{%- endmacro %}

{% macro postgres__to_utc(column, timezone) -%}
    ((cast({{ column }} as timestamp) at time zone {{ timezone }}) at time zone 'UTC')
{%- endmacro %}

{% macro spark__to_utc(column, timezone) -%}
    to_utc_timestamp(cast({{ column }} as timestamp), {{ timezone }})
{%- endmacro %}

{#- Unix epoch seconds (number or numeric string) as a naive UTC timestamp. -#}
{% macro epoch_to_timestamp(column) -%}
    {{ return(adapter.dispatch('epoch_to_timestamp', 'xborder')(column)) }}
{%- endmacro %}

{% macro default__epoch_to_timestamp(column) -%}
    {{ dbt.dateadd('second', 'cast(' ~ column ~ ' as ' ~ dbt.type_bigint() ~ ')', "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{% macro duckdb__epoch_to_timestamp(column) -%}
    timezone('UTC', to_timestamp(cast({{ column }} as double)))
{%- endmacro %}

{#-
    A calendar date from a 'YYYY-MM-DD' string, a 'YYYY-MM-DD 00:00:00' string or a
    timestamp the loader inferred from either (dlt types such strings as UTC timestamps).
-#}
{% macro as_date(column) -%}
    cast({{ as_utc_timestamp(column) }} as date)
{%- endmacro %}

{#- dlt load id (unix epoch seconds as a string) as the UTC load timestamp. -#}
{% macro dlt_loaded_at(column='_dlt_load_id') -%}
    {{ epoch_to_timestamp(column) }}
{%- endmacro %}
