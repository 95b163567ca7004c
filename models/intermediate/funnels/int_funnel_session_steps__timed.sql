-- One row per funnel x session x reached step (the counted attempt's; open funnels: any clean attempt's), none
-- for excluded sessions, with the time since the previous step and the session's user_key. Read by
-- fct_funnel_session_steps (which publishes it), int_funnel_daily__counted and int_user_sessions__readiness.
-- Incremental: the user_keys the new loads change, recomputed from their whole history (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}

with

attempts as (
    select * from {{ ref('int_funnel_sessions__attempts') }}
    {{ incremental_key_filter('user_key') }}
),

steps as (
    select * from {{ ref('stg_config__funnel_steps') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

clean_sessions as (
    select distinct
        funnel_id,
        session_id
    from attempts
    where is_chosen and not is_excluded
),

candidates as (
    -- Closed funnels: the counted attempt's steps. Open funnels: a step is reached when any clean attempt
    -- (from any entry step) reaches it; its time comes from the earliest such attempt.
    select
        attempts.funnel_id,
        attempts.session_id,
        attempts.user_key,
        attempts.step_number,
        attempts.reached_at,
        attempts.session_position,
        row_number() over (
            partition by attempts.funnel_id, attempts.session_id, attempts.step_number
            order by attempts.start_position
        ) as attempt_rank
    from attempts
    inner join clean_sessions
        on attempts.funnel_id = clean_sessions.funnel_id and attempts.session_id = clean_sessions.session_id
    inner join funnels on attempts.funnel_id = funnels.funnel_id
    where attempts.is_chosen or (funnels.funnel_type = 'open' and not attempts.is_excluded)
),

counted as (
    select
        funnel_id,
        session_id,
        user_key,
        step_number,
        reached_at,
        session_position
    from candidates
    where attempt_rank = 1
),

final as (
    select
        counted.funnel_id,
        counted.session_id,
        counted.user_key,
        counted.step_number,
        steps.goal_id,
        counted.reached_at,
        counted.session_position,
        {{ seconds_between(
            'lag(counted.reached_at) over (partition by counted.funnel_id, counted.session_id order by counted.step_number)',
            'counted.reached_at'
        ) }} as seconds_from_previous_step
    from counted
    inner join steps
        on
            counted.funnel_id = steps.funnel_id
            and counted.step_number = steps.step_number
)

select * from final
