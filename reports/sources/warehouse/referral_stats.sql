-- One row per share channel: referral (fission) shares, conversions and referred revenue.
select
    share_channel,
    count(*)::bigint as shares,
    count(*) filter (where is_converted)::bigint as conversions,
    (count(*) filter (where is_converted) / count(*))::double as share_to_order_rate,
    max(tree_depth)::integer as max_tree_depth,
    avg(tree_depth)::double as avg_tree_depth,
    coalesce(sum(referee_net_revenue), 0)::double as referred_net_revenue
from marts.fct_referrals
group by 1
order by shares desc
