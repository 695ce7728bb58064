-- The 200 most converting journey paths (channels in order, joined by ' > ').
select
    path,
    len(string_split(path, ' > '))::integer as path_length,
    count(*)::bigint as journeys,
    count(*) filter (where converted)::bigint as conversions,
    (count(*) filter (where converted) / count(*))::double as conversion_rate,
    coalesce(sum(conversion_value) filter (where converted), 0)::double as conversion_value
from marts.fct_journey_paths
group by path
order by conversions desc, journeys desc, path
limit 200
