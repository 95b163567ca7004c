-- Funnel attempts of every user (across sessions), one row per attempt x reached step.
-- Ordered and strict funnels: every start (step 1; any step of an open funnel) starts an attempt, walked by
-- macro funnel_attempt_steps (earliest next completion at or after the previous step, same instant = step
-- order, one event per step, within the window and the per-step / strict deadlines). Unordered funnels:
-- macro funnel_unordered_attempts (step k = k steps done). Then exclusions and the counted attempt (macro
-- funnel_attempt_outcomes). Linear: int_funnel_user_completions__linked links each completion to its successor
-- (window passes); the recursion follows the links with equality joins (no self-join over events, no ASOF join).
-- Incremental: the user_keys the new loads change, recomputed from their whole history (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}
with recursive

completions as (
    select * from {{ ref('int_funnel_completions__mapped') }}
    {{ incremental_key_filter('user_key') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

steps as (
    select * from {{ ref('stg_config__funnel_steps') }}
),

exclusions as (
    select * from {{ ref('int_funnel_exclusions__mapped') }}
    {{ incremental_key_filter('user_key') }}
),

linked as (
    select * from {{ ref('int_funnel_user_completions__linked') }}
    {{ incremental_key_filter('user_key') }}
),

start_counts as (
    select
        funnel_id,
        user_key,
        count(*) as possible_starts
    from linked
    where is_possible_start
    group by funnel_id, user_key
),

attempts as (
    {{ funnel_attempt_steps('linked', 'user_key', 'user_position') }}
),

unordered as (
    {{ funnel_unordered_attempts('completions', 'funnels', 'steps', 'user_key', 'user_position') }}
),

reached as (
    -- The recursion carries ids: the step reached and the attempt's start come from `linked`.
    select
        reached_step.funnel_id,
        reached_step.user_key,
        start_step.user_position as start_position,
        start_step.step_number as start_step,
        attempts.window_ends_at,
        reached_step.step_number,
        reached_step.user_position,
        reached_step.session_id,
        attempts.reached_at
    from attempts
    inner join linked as reached_step
        on
            attempts.user_key = reached_step.user_key
            and attempts.completion_id = reached_step.completion_id
    inner join linked as start_step
        on
            attempts.user_key = start_step.user_key
            and attempts.start_id = start_step.completion_id
    where attempts.is_reached
    union all
    select
        funnel_id,
        user_key,
        start_position,
        start_step,
        window_ends_at,
        step_number,
        user_position,
        session_id,
        reached_at
    from unordered
),

outcomes as (
    {{ funnel_attempt_outcomes('reached', 'exclusions', 'start_counts', 'user_key') }}
),

final as (
    select
        funnel_id,
        user_key,
        start_position,
        start_step,
        step_number,
        user_position,
        session_id,
        reached_at,
        attempt_furthest_step,
        attempt_reach,
        is_excluded,
        excluded_at,
        attempts,
        is_chosen
    from outcomes
)

select * from final
