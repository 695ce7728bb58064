{#-
    Late-arriving window of an incremental model (docs/decisions.md, "Incremental facts").

    incremental_window_start(column) returns a SQL date literal: the high-water mark of
    `column` in the existing relation minus var('late_arriving_days'). Rows on or after it
    are recomputed on every incremental run. On a full build it returns null (no window).
    The value is read once per run from {{ this }}, so the model body and the
    `replace_window` strategy below see the same boundary.
-#}
{% macro incremental_window_start(column) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select cast(max({{ column }}) as date) as high_water_mark from {{ this }}
    {%- endset -%}
    {%- set high_water_mark = run_query(query).columns[0].values()[0] -%}
    {%- if high_water_mark is none -%}
        {{ return("cast('1900-01-01' as date)") }}
    {%- endif -%}
    {{ return(dbt.dateadd('day', -1 * var('late_arriving_days', 3), "cast('" ~ high_water_mark ~ "' as date)")) }}
{%- endmacro %}

{#-
    Incremental strategy `replace_window` (used with materialized='incremental').

    1. deletes every target row whose `late_window_column` is on or after the window start
       (so rows that vanished from the recomputed window do not linger), and every target row
       whose unique key is in the new batch (rows re-merged because their person changed);
    2. inserts the batch.
    Plain delete + insert: portable to every adapter with DELETE (Delta/Iceberg on Spark).
    The adapter reports the rows inserted, which the incremental tests read as rows affected.
-#}
{% macro get_incremental_replace_window_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set dest_columns = arg_dict['dest_columns'] -%}
    {%- set window_column = config.get('late_window_column') -%}
    {%- set window_start = incremental_window_start(window_column) if window_column else none -%}
    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute='name')) -%}

    delete from {{ target }}
    where
        {{ unique_key }} in (
            select {{ unique_key }}
            from {{ source }}
        )
        {%- if window_start is not none %}
        or {{ window_column }} >= {{ window_start }}
        {%- endif %};

    insert into {{ target }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ source }}
    )
{%- endmacro %}
