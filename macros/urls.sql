{#-
    The value of a query-string parameter of a URL (or a path with a query string), lower-cased.
    '/p?utm_source=Google&utm_medium=cpc#x' -> url_parameter(.., 'utm_source') = 'google'.
    Portable: only dbt.replace / dbt.split_part. Values are not URL-decoded.
-#}
{% macro url_parameter(column, parameter) -%}
    nullif(lower({{ dbt.split_part(
        dbt.split_part(
            dbt.split_part(dbt.replace('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')', "'?'", "'&'"), "'&" ~ parameter ~ "='", 2),
            "'&'", 1),
        "'#'", 1) }}), '')
{%- endmacro %}

{#- The host of an absolute URL, lower-cased, without a leading 'www.' ('https://www.google.com/x' -> 'google.com'). -#}
{% macro url_host(column) -%}
    nullif(lower({{ dbt.replace(
        dbt.split_part(dbt.split_part(dbt.split_part('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')', "'//'", 2), "'/'", 1), "'?'", 1),
        "'www.'", "''") }}), '')
{%- endmacro %}

{#- A readable compound key: the parts cast to strings and joined with '-'. -#}
{% macro compound_key(columns) -%}
    {%- set parts = [] -%}
    {%- for col in columns -%}
        {%- do parts.append("coalesce(cast(" ~ col ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last -%}{%- do parts.append("'-'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
