-- Day x funnel x step x channel x device_category: counts a BI tool can re-aggregate, plus rates
-- (computed in int_funnel_daily__counted, which the funnel alerts also read).
with

daily_counts as (
    select * from {{ ref('int_funnel_daily__counted') }}
),

final as (
    select
        session_date,
        funnel_id,
        step_number,
        goal_id,
        channel,
        device_category,
        sessions,
        sessions_reached_previous,
        sessions_reached,
        step_conversion_rate,
        drop_off,
        median_seconds_from_previous_step
    from daily_counts
)

select * from final
