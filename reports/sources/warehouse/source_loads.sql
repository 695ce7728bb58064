-- Load freshness per raw source, from dlt's _dlt_loads table in every raw_<source> schema.
-- The set of sources is read from the catalog (a source that never loaded has no
-- _dlt_loads yet), so the SQL is built in a first statement and run in the last
-- one; Evidence runs every statement but the last as a prefix on the same session.
set variable source_loads_sql = (
    select coalesce(
        string_agg(
            format(
                'select ''{}'' as source_schema, max(inserted_at) as last_loaded_at, '
                || 'count(*) as loads, count(*) filter (where status = 0) as successful_loads from "{}"."_dlt_loads"',
                schema_name, schema_name
            ),
            ' union all '
        ),
        'select null::varchar as source_schema, null::timestamptz as last_loaded_at, '
        || '0::bigint as loads, 0::bigint as successful_loads where false'
    )
    from duckdb_tables()
    where database_name = current_database()
        and table_name = '_dlt_loads'
        and schema_name like 'raw\_%' escape '\'
);

with raw_schemas as (
    select schema_name as source_schema
    from duckdb_schemas()
    where database_name = current_database()
        and schema_name like 'raw\_%' escape '\'
        and schema_name not like '%\_staging' escape '\'
),

loads as (
    select * from query(getvariable('source_loads_sql'))
),

newest as (
    select max(last_loaded_at) as newest_load_at from loads
)

select
    raw_schemas.source_schema,
    replace(raw_schemas.source_schema, 'raw_', '') as source,
    loads.last_loaded_at::timestamptz as last_loaded_at,
    coalesce(loads.loads, 0)::bigint as loads,
    coalesce(loads.successful_loads, 0)::bigint as successful_loads,
    (epoch(newest.newest_load_at) - epoch(loads.last_loaded_at))::double / 3600 as hours_behind_newest_load
from raw_schemas
left join loads on loads.source_schema = raw_schemas.source_schema
cross join newest
order by 1
