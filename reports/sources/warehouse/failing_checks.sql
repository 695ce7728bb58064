-- Data checks that currently fail, found in the catalog:
--   * dbt tests stored with store_failures (schemas *dbt_test__audit): one table per failing test;
--   * staging quarantine relations (*quarantine*): business-rule violations kept out of the marts.
-- A clean warehouse has none, but an empty source result breaks every Evidence page,
-- so that case yields one placeholder row flagged is_placeholder; pages filter it out.
set variable failing_checks_sql = (
    select coalesce(
        string_agg(
            format(
                'select ''{}'' as check_kind, ''{}'' as check_schema, ''{}'' as check_name, count(*) as failing_rows from "{}"."{}"',
                check_kind, schema_name, table_name, schema_name, table_name
            ),
            ' union all '
        ),
        'select null::varchar as check_kind, null::varchar as check_schema, null::varchar as check_name, '
        || '0::bigint as failing_rows where false'
    )
    from (
        select
            case when schema_name like '%dbt\_test\_\_audit' escape '\' then 'dbt test' else 'quarantine' end as check_kind,
            schema_name,
            table_name
        from duckdb_tables()
        where database_name = current_database()
            and (schema_name like '%dbt\_test\_\_audit' escape '\' or table_name like '%quarantine%')
        union all
        select 'quarantine', schema_name, view_name
        from duckdb_views()
        where database_name = current_database()
            and not internal
            and view_name like '%quarantine%'
    )
);

with checks as (
    select * from query(getvariable('failing_checks_sql'))
),

failing as (
    select
        check_kind,
        check_schema,
        check_name,
        failing_rows::bigint as failing_rows
    from checks
    where failing_rows > 0
)

select *, false as is_placeholder from failing
union all
select null, null, null, null, true
where not exists (select 1 from failing)
