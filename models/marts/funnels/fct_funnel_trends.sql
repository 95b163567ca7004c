-- Funnel trends: per period (day and week, of the counted attempt's start) x funnel x step, the users who
-- entered (counted attempt not excluded), reached the step, and the conversion rate from entry. Open funnels:
-- a user reaches step k when the counted attempt covers it (entry_step <= k <= furthest_step).
with

funnel_users as (
    select * from {{ ref('fct_funnel_users') }}
),

steps as (
    select * from {{ ref('stg_config__funnel_steps') }}
),

entered as (
    select
        funnel_id,
        user_key,
        entry_step,
        furthest_step,
        {{ dbt.date_trunc('day', 'started_at') }} as day_start,
        {{ dbt.date_trunc('week', 'started_at') }} as week_start
    from funnel_users
    where not is_excluded
),

periods as (
    select
        'day' as period_grain,
        cast(day_start as date) as period_start,
        funnel_id,
        entry_step,
        furthest_step
    from entered
    union all
    select
        'week' as period_grain,
        cast(week_start as date) as period_start,
        funnel_id,
        entry_step,
        furthest_step
    from entered
),

counted as (
    -- Every step of every funnel for each period with entries (zeros included).
    select
        periods.period_grain,
        periods.period_start,
        periods.funnel_id,
        steps.step_number,
        steps.goal_id,
        count(*) as users_entered,
        count(
            case when periods.entry_step <= steps.step_number and periods.furthest_step >= steps.step_number then 1 end
        ) as users_reached
    from periods
    inner join steps on periods.funnel_id = steps.funnel_id
    group by periods.period_grain, periods.period_start, periods.funnel_id, steps.step_number, steps.goal_id
),

final as (
    select
        period_grain,
        period_start,
        funnel_id,
        step_number,
        goal_id,
        users_entered,
        users_reached,
        cast(users_reached as double) / users_entered as conversion_rate
    from counted
)

select * from final
