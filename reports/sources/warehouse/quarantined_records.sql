-- Staged records that broke a business rule (negative spend, impossible dates, ...) and
-- are kept out of the marts, per source and rule (quarantine.stg_quarantine__records).
-- A clean load has none, but an empty source result breaks every Evidence page (no
-- parquet file gets written), so that case yields one placeholder row flagged
-- is_placeholder; pages filter it out.
with quarantined as (
    select
        source_name,
        quarantine_rule,
        coalesce(blocks_budget_models, false) as blocks_budget_models,
        count(*)::bigint as records
    from quarantine.stg_quarantine__records
    group by all
)

select *, false as is_placeholder from quarantined
union all
select null, null, null, null, true
where not exists (select 1 from quarantined)
