-- The readiness history without recency: one row per session (a snapshot of its user as of the session's end)
-- with the user's progress to date (what the readiness stage is computed from) and whether they make a macro
-- conversion in a later session. Sessions of a user_key are in fct_sessions.session_number order (started_at,
-- session_id). Built from intermediates only (sessions, stitching, conversions, session funnels). Every row
-- depends on its user_key's sessions only: incremental, the user_keys the new loads change are recomputed from
-- their whole history (README "Incremental builds"); the stage and the recency (from the latest session of
-- all data) are in the view int_user_sessions__readiness.
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}
with

sessions as (
    select * from {{ ref('int_sessions__aggregated') }}
),

visitors as (
    select * from {{ ref('int_visitors__stitched') }}
    {{ incremental_key_filter('user_key') }}
),

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
    {{ incremental_key_filter('user_key') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

funnel_steps as (
    select * from {{ ref('int_funnel_session_steps__timed') }}
    {{ incremental_key_filter('user_key') }}
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
        snapshots.macro_conversions_to_date,
        snapshots.process_milestones_to_date,
        snapshots.interest_signals_to_date,
        snapshots.converts_later,
        snapshots.next_started_at,
        snapshots.next_started_at is null as is_latest
    from snapshots
)

select * from final
