{#-
    The warehouse's "today" as a SQL date literal/expression.
    var('as_of_date') (from AS_OF_DATE) when set, else the current UTC date.
-#}
{% macro as_of_date() -%}
    {%- set as_of = var('as_of_date', '') | string | trim -%}
    {%- if as_of and as_of | lower not in ('none', 'null') -%}
        cast('{{ as_of }}' as date)
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as date)
    {%- endif -%}
{%- endmacro %}

{#- Exclusive upper bound of the as-of day: the first instant after as_of_date (UTC). -#}
{% macro as_of_end_at() -%}
    {{ dbt.dateadd('day', 1, 'cast(' ~ as_of_date() ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
{%- endmacro %}
