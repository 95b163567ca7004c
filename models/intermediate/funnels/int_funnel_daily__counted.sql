-- Day x funnel x step x channel x device_category: counts a BI tool can re-aggregate, plus rates.
-- Read by fct_funnel_daily (which publishes it) and by the funnel alerts (models/intermediate/alerts).
with

sessions as (
    select * from {{ ref('int_sessions__channel_grouped') }}
),

session_steps as (
    select * from {{ ref('int_funnel_session_steps__timed') }}
),

steps as (
    select * from {{ ref('stg_config__funnel_steps') }}
),

sliced_sessions as (
    select
        session_id,
        cast(started_at as date) as session_date,
        channel,
        coalesce(device_category, '(not set)') as device_category
    from sessions
),

slices as (
    select
        session_date,
        channel,
        device_category,
        count(*) as sessions
    from sliced_sessions
    group by session_date, channel, device_category
),

reached as (
    select
        sliced_sessions.session_date,
        sliced_sessions.channel,
        sliced_sessions.device_category,
        session_steps.funnel_id,
        session_steps.step_number,
        count(*) as sessions_reached,
        {{ median('session_steps.seconds_from_previous_step') }} as median_seconds_from_previous_step
    from session_steps
    inner join sliced_sessions on session_steps.session_id = sliced_sessions.session_id
    group by
        sliced_sessions.session_date,
        sliced_sessions.channel,
        sliced_sessions.device_category,
        session_steps.funnel_id,
        session_steps.step_number
),

grid as (
    select
        slices.session_date,
        steps.funnel_id,
        steps.step_number,
        steps.goal_id,
        slices.channel,
        slices.device_category,
        slices.sessions,
        coalesce(reached.sessions_reached, 0) as sessions_reached,
        reached.median_seconds_from_previous_step
    from slices
    cross join steps
    left join reached
        on
            slices.session_date = reached.session_date
            and slices.channel = reached.channel
            and slices.device_category = reached.device_category
            and steps.funnel_id = reached.funnel_id
            and steps.step_number = reached.step_number
),

with_previous as (
    select
        *,
        case
            when step_number = 1 then sessions
            else lag(sessions_reached) over (
                partition by session_date, funnel_id, channel, device_category order by step_number
            )
        end as sessions_reached_previous
    from grid
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
        case
            when sessions_reached_previous > 0 then cast(sessions_reached as double) / sessions_reached_previous
        end as step_conversion_rate,
        sessions_reached_previous - sessions_reached as drop_off,
        median_seconds_from_previous_step
    from with_previous
)

select * from final
