-- In every slice of fct_funnel_daily a step never has more sessions than the step before it.
select *
from {{ ref('fct_funnel_daily') }}
where sessions_reached > sessions_reached_previous
