-- One row per creator: reach -> engagement -> sessions -> orders -> revenue, and cost.
select
    creator_id::varchar as creator_id,
    creator_handle,
    creator_tier,
    platform,
    posts::bigint as posts,
    reach::bigint as reach,
    engagements::bigint as engagements,
    sessions::bigint as sessions,
    orders::bigint as orders,
    attributed_revenue::double as attributed_revenue,
    creator_cost::double as creator_cost
from marts.fct_creator_performance
order by attributed_revenue desc nulls last
