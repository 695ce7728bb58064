{#-
    Person resolution of a fact row through the current identity map (CTE `identity_map` with
    identifier_type, identifier, person_id). `lookups` is an ordered list of
    [alias, identifier_type expression, identifier column]: the first identifier the map knows wins.
-#}
{% macro person_lookup_joins(relation, lookups) -%}
    {%- for alias, identifier_type, identifier_column in lookups %}
    left join identity_map as {{ alias }}
        on
            {{ alias }}.identifier_type = {{ identifier_type }}
            and {{ relation }}.{{ identifier_column }} = {{ alias }}.identifier
    {%- endfor %}
{%- endmacro %}

{% macro person_lookup_coalesce(lookups) -%}
    coalesce(
        {%- for alias, identifier_type, identifier_column in lookups %}
        {{ alias }}.person_id{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
