{#-
    A source column that may be missing from the raw table.
    dlt creates a column only when some loaded record has a non-null value for it, and schema
    drift adds columns later (e.g. Shopify `client_details`). Referencing such a column directly
    would break the model until the first non-null value arrives, so nullable or drifting
    contract fields are read through this macro: the column when it exists, else a typed null.
    Use it only for fields the contract marks nullable or drifting, never for keys.
    `qualifier` prefixes the column with a table alias when the model joins.
-#}
{% macro column_or_null(relation, column_name, data_type=none, qualifier=none) -%}
    {%- set data_type = data_type or dbt.type_string() -%}
    {%- set ns = namespace(found=false) -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
        {%- if existing is not none -%}
            {%- for col in adapter.get_columns_in_relation(existing) -%}
                {%- if col.name | lower == column_name | lower -%}
                    {%- set ns.found = true -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- if ns.found -%}
        {{ (qualifier ~ '.') if qualifier else '' }}{{ adapter.quote(column_name) if column_name != column_name | lower else column_name }}
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}

{#- True when the relation exists in the warehouse (compile-time check). -#}
{% macro relation_exists(relation) -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set existing = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {{ return(existing is not none) }}
{%- endmacro %}

{#-
    `select * from` a dlt child table of string values (`value`), or an empty relation with the same
    columns when dlt has not created the table yet (it does so only once some parent row has a
    non-empty list).
-#}
{% macro select_dlt_value_list(relation) -%}
    {%- if relation_exists(relation) -%}
    select * from {{ relation }}
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as value,
        cast(null as {{ dbt.type_string() }}) as _dlt_parent_id,
        cast(null as {{ dbt.type_bigint() }}) as _dlt_list_idx,
        cast(null as {{ dbt.type_string() }}) as _dlt_id
    where 1 = 0
    {%- endif -%}
{%- endmacro %}
