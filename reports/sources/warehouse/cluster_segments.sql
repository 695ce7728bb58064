-- One row per behavioural cluster (ml.segments, K-means on RFM + channel mix + market).
select
    segment_label,
    count(*)::bigint as customers
from ml.segments
group by 1
order by customers desc
