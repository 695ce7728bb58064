-- One row per content item (creator post): reach -> engagement -> sessions -> orders -> revenue.
select
    post_id::varchar as post_id,
    creator_handle,
    platform,
    posted_at::timestamp as posted_at,
    reach::bigint as reach,
    engagements::bigint as engagements,
    sessions::bigint as sessions,
    orders::bigint as orders,
    attributed_revenue::double as attributed_revenue,
    cost::double as cost
from marts.fct_content_performance
order by attributed_revenue desc nulls last
