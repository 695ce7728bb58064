-- Rows rejected at load (type/parse failures) per raw source: exact counts of every
-- raw_<source>.*_rejects table, found in the catalog (a source without rejects may
-- have no rejects table at all).  One row per raw schema, zero when none.
set variable source_rejects_sql = (
    select coalesce(
        string_agg(
            format(
                'select ''{}'' as source_schema, ''{}'' as rejects_table, count(*) as rejected_rows from "{}"."{}"',
                schema_name, table_name, schema_name, table_name
            ),
            ' union all '
        ),
        'select null::varchar as source_schema, null::varchar as rejects_table, 0::bigint as rejected_rows where false'
    )
    from duckdb_tables()
    where database_name = current_database()
        and schema_name like 'raw\_%' escape '\'
        and table_name like '%\_rejects' escape '\'
);

with raw_schemas as (
    select schema_name as source_schema
    from duckdb_schemas()
    where database_name = current_database()
        and schema_name like 'raw\_%' escape '\'
        and schema_name not like '%\_staging' escape '\'
),

rejects as (
    select * from query(getvariable('source_rejects_sql'))
)

select
    raw_schemas.source_schema,
    replace(raw_schemas.source_schema, 'raw_', '') as source,
    coalesce(string_agg(rejects.rejects_table, ', '), '') as rejects_tables,
    coalesce(sum(rejects.rejected_rows), 0)::bigint as rejected_rows
from raw_schemas
left join rejects on rejects.source_schema = raw_schemas.source_schema
group by all
order by 1
