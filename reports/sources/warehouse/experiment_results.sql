-- One row per experiment x variant, with the test's verdict and sample-ratio check.
select
    experiment_id::varchar as experiment_id,
    experiment_name,
    variant_name,
    is_control,
    users::bigint as users,
    conversions::bigint as conversions,
    conversion_rate::double as conversion_rate,
    absolute_lift::double as absolute_lift,
    relative_lift::double as relative_lift,
    ci_lower::double as ci_lower,
    ci_upper::double as ci_upper,
    p_value::double as p_value,
    srm_p_value::double as srm_p_value,
    verdict
from ml.experiment_results
order by experiment_name, is_control desc, variant_name
