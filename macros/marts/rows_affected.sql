{#-
    Post-hook for incremental models: records the rows this run wrote as the `main` statement's
    adapter response, so run_results.json carries `adapter_response.rows_affected` (dbt-duckdb
    does not report it). Full build: every row of the table. Incremental run: the rows of the
    batch (dbt's temporary relation, inserted by the `replace_window` strategy). Other adapters
    report rows_affected themselves: the default implementation does nothing.
-#}
{% macro report_rows_affected() -%}
    {{ return(adapter.dispatch('report_rows_affected', 'xborder')()) }}
{%- endmacro %}

{% macro default__report_rows_affected() -%}
{%- endmacro %}

{% macro duckdb__report_rows_affected() -%}
    {%- if execute -%}
        {%- set temp_tables = run_query(
            "select table_name from duckdb_tables() where temporary and table_name like '"
            ~ this.identifier ~ "\\_\\_dbt\\_tmp%' escape '\\' order by table_name desc limit 1"
        ) -%}
        {%- if is_incremental() and temp_tables.rows | length > 0 -%}
            {%- set counted = run_query('select count(*) from "' ~ temp_tables.rows[0][0] ~ '"') -%}
        {%- else -%}
            {%- set counted = run_query('select count(*) from ' ~ this) -%}
        {%- endif -%}
        {%- do store_raw_result('main', message='OK', code='INSERT', rows_affected=counted.rows[0][0] | int) -%}
    {%- endif -%}
{%- endmacro %}
