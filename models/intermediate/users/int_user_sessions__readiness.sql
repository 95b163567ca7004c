-- The readiness history: one row per session (a snapshot of its user as of the session's end) with the user's
-- progress to date, the readiness stage it gives, how long the user then stayed away and whether they make a
-- macro conversion in a later session. Sessions of a user_key are in fct_sessions.session_number order
-- (started_at, session_id). Built from intermediates only (sessions, stitching, conversions, session funnels).
with

sessions as (
    select * from {{ ref('int_sessions__aggregated') }}
),

visitors as (
    select * from {{ ref('int_visitors__stitched') }}
),

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

funnel_steps as (
    select * from {{ ref('int_funnel_session_steps__timed') }}
),

session_conversions as (
    select
        conversions.session_id,
        sum(case when goals.goal_kind = 'macro' then 1 else 0 end) as macro_conversions,
        sum(case when goals.micro_type = 'process_milestone' then 1 else 0 end) as process_milestone_conversions,
        sum(case when goals.micro_type in ('secondary_action', 'engagement') then 1 else 0 end)
            as interest_signal_conversions
    from conversions
    inner join goals on conversions.goal_id = goals.goal_id
    group by conversions.session_id
),

main_funnel_sessions as (
    select
        session_id,
        max(step_number) as furthest_step
    from funnel_steps
    where funnel_id = '{{ var("main_funnel_id") }}'
    group by session_id
),

data_end as (
    -- "Now" for recency: the end of the latest session in the data, so a rebuild gives the same result.
    select max(ended_at) as as_of_at from sessions
),

session_progress as (
    select
        visitors.user_key,
        sessions.session_id,
        sessions.started_at,
        sessions.ended_at,
        coalesce(session_conversions.macro_conversions, 0) as macro_conversions,
        coalesce(session_conversions.process_milestone_conversions, 0) as process_milestone_conversions,
        coalesce(session_conversions.interest_signal_conversions, 0) as interest_signal_conversions,
        coalesce(main_funnel_sessions.furthest_step, 0) as main_funnel_step
    from sessions
    inner join visitors on sessions.visitor_id = visitors.visitor_id
    left join session_conversions on sessions.session_id = session_conversions.session_id
    left join main_funnel_sessions on sessions.session_id = main_funnel_sessions.session_id
),

snapshots as (
    -- The user as of the end of each of their sessions, and what happened afterwards.
    select
        user_key,
        session_id,
        started_at,
        ended_at,
        main_funnel_step,
        max(main_funnel_step) over user_so_far as furthest_step_to_date,
        sum(macro_conversions) over user_so_far as macro_conversions_to_date,
        sum(process_milestone_conversions) over user_so_far as process_milestones_to_date,
        sum(interest_signal_conversions) over user_so_far as interest_signals_to_date,
        coalesce(sum(macro_conversions) over user_later, 0) > 0 as converts_later,
        lead(started_at) over user_timeline as next_started_at
    from session_progress
    window
        user_timeline as (partition by user_key order by started_at, session_id),
        user_so_far as (
            partition by user_key order by started_at, session_id
            rows between unbounded preceding and current row
        ),
        user_later as (
            partition by user_key order by started_at, session_id
            rows between 1 following and unbounded following
        )
),

final as (
    select
        snapshots.user_key,
        snapshots.session_id,
        snapshots.started_at,
        snapshots.ended_at,
        snapshots.main_funnel_step,
        snapshots.furthest_step_to_date,
        case
            when snapshots.macro_conversions_to_date > 0 then 'converted'
            when snapshots.furthest_step_to_date >= {{ var('readiness_checkout_step') }} then 'checkout'
            when snapshots.process_milestones_to_date > 0 then 'consideration'
            when snapshots.interest_signals_to_date > 0 then 'interest'
            else 'new'
        end as readiness_stage,
        snapshots.converts_later,
        snapshots.next_started_at,
        -- Days the user then stayed away: until their next session, or until the end of the data.
        {{ seconds_between(
            'snapshots.ended_at', 'coalesce(snapshots.next_started_at, data_end.as_of_at)'
        ) }} / 86400.0 as days_away_after,
        snapshots.next_started_at is null as is_latest,
        data_end.as_of_at
    from snapshots
    cross join data_end
)

select * from final
