-- dbt tests that currently fail, as stored by dbt when tests run with store_failures
-- (one table per failing test in a *dbt_test__audit schema), found in the catalog.
-- A clean warehouse has none, but an empty source result breaks every Evidence page,
-- so that case yields one placeholder row flagged is_placeholder; pages filter it out.
set variable failing_checks_sql = (
    select coalesce(
        string_agg(
            format(
                'select ''{}'' as check_schema, ''{}'' as check_name, count(*) as failing_rows from "{}"."{}"',
                schema_name, table_name, schema_name, table_name
            ),
            ' union all '
        ),
        'select null::varchar as check_schema, null::varchar as check_name, 0::bigint as failing_rows where false'
    )
    from duckdb_tables()
    where database_name = current_database()
        and schema_name like '%dbt\_test\_\_audit' escape '\'
);

with checks as (
    select * from query(getvariable('failing_checks_sql'))
),

failing as (
    select
        check_schema,
        check_name,
        failing_rows::bigint as failing_rows
    from checks
    where failing_rows > 0
)

select *, false as is_placeholder from failing
union all
select null, null, null, true
where not exists (select 1 from failing)
