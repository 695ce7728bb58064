-- One row per journey length (number of touchpoints): journeys and conversions.
select
    len(string_split(path, ' > '))::integer as path_length,
    count(*)::bigint as journeys,
    count(*) filter (where converted)::bigint as conversions
from marts.fct_journey_paths
group by 1
order by 1
