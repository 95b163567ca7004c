-- Every period of every funnel step x segment ('all', each device_category, each channel) with its trailing
-- baseline: the same funnel step and segment pooled over the periods that start within alert_baseline_days
-- days before it.
{%- set period_days = 1 if var('alert_period') == 'day' else 7 -%}
{%- set baseline_days = var('alert_baseline_days') | int %}

with

cells as (
    select * from {{ ref('int_alert_cells__periodized') }}
),

segmented as (
    -- Every cell counts in three segments: all sessions, its device_category and its channel.
    select
        funnel_id,
        step_number,
        goal_id,
        period_start,
        period_day,
        'all' as segment_type,
        'all' as segment_value,
        sessions_reached_previous,
        sessions_reached
    from cells
    union all
    select
        funnel_id,
        step_number,
        goal_id,
        period_start,
        period_day,
        'device_category' as segment_type,
        device_category as segment_value,
        sessions_reached_previous,
        sessions_reached
    from cells
    union all
    select
        funnel_id,
        step_number,
        goal_id,
        period_start,
        period_day,
        'channel' as segment_type,
        channel as segment_value,
        sessions_reached_previous,
        sessions_reached
    from cells
),

aggregated as (
    select
        funnel_id,
        step_number,
        goal_id,
        segment_type,
        segment_value,
        period_start,
        period_day,
        sum(sessions_reached_previous) as sessions_reached_previous,
        sum(sessions_reached) as sessions_reached
    from segmented
    group by funnel_id, step_number, goal_id, segment_type, segment_value, period_start, period_day
),

windowed as (
    -- Baseline: the same funnel step and segment in the periods of the trailing window, pooled.
    select
        *,
        sum(sessions_reached_previous) over (
            partition by funnel_id, step_number, segment_type, segment_value
            order by period_day
            range between {{ baseline_days }} preceding and 1 preceding
        ) as window_sessions_reached_previous,
        sum(sessions_reached) over (
            partition by funnel_id, step_number, segment_type, segment_value
            order by period_day
            range between {{ baseline_days }} preceding and 1 preceding
        ) as window_sessions_reached
    from aggregated
),

final as (
    select
        funnel_id,
        step_number,
        goal_id,
        segment_type,
        segment_value,
        period_start,
        cast({{ dbt.dateadd('day', period_days - 1, 'period_start') }} as date) as period_end,
        period_day,
        sessions_reached_previous,
        sessions_reached,
        coalesce(window_sessions_reached_previous, 0) as baseline_sessions_reached_previous,
        coalesce(window_sessions_reached, 0) as baseline_sessions_reached
    from windowed
)

select * from final
