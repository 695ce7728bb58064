{#-
    True when `column` matches the regular expression in `pattern` (a column or a quoted literal),
    anywhere in the string (anchor with ^/$ in the pattern). Dispatched: regex functions differ.
-#}
{% macro regex_matches(column, pattern) -%}
    {{ return(adapter.dispatch('regex_matches')(column, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(column, pattern) -%}
    ({{ column }} ~ {{ pattern }})
{%- endmacro %}

{% macro duckdb__regex_matches(column, pattern) -%}
    regexp_matches({{ column }}, {{ pattern }})
{%- endmacro %}

{% macro bigquery__regex_matches(column, pattern) -%}
    regexp_contains({{ column }}, {{ pattern }})
{%- endmacro %}

{% macro snowflake__regex_matches(column, pattern) -%}
    regexp_instr({{ column }}, {{ pattern }}) > 0
{%- endmacro %}

{% macro spark__regex_matches(column, pattern) -%}
    ({{ column }} rlike {{ pattern }})
{%- endmacro %}
