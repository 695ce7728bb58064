-- Today's breaches of the brand's threshold rules (marts.fct_threshold_breaches).
-- No breach is a normal day, but an empty source result breaks every Evidence page
-- (no parquet file gets written), so an empty mart yields one placeholder row
-- flagged is_placeholder; pages filter it out.
with breaches as (
    select
        rule_id::varchar as rule_id,
        metric,
        channel,
        market,
        metric_value::double as metric_value,
        threshold::double as threshold,
        suggested_action
    from marts.fct_threshold_breaches
)

select *, false as is_placeholder from breaches
union all
select null, null, null, null, null, null, null, true
where not exists (select 1 from breaches)
