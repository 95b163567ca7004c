-- In every slice of fct_funnel_daily a step never has more sessions than the step before it.
select
    session_date,
    funnel_id,
    step_number,
    channel,
    device_category,
    sessions_reached_previous,
    sessions_reached
from {{ ref('fct_funnel_daily') }}
where sessions_reached > sessions_reached_previous
