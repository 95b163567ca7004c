-- Funnel attempts of every session, one row per attempt x reached step.
-- Ordered and strict funnels: every start (step 1; any step of an open funnel) starts an attempt, walked by
-- macro funnel_attempt_steps (earliest next completion at or after the previous step, same instant = step
-- order, one event per step, within the window and the per-step / strict deadlines). Unordered funnels:
-- macro funnel_unordered_attempts (step k = k steps done). Then exclusions and the counted attempt (macro
-- funnel_attempt_outcomes). Linear: window passes link each completion to its successor; the recursion
-- follows the links with equality joins (no self-join over events, no ASOF join).
with recursive

completions as (
    select * from {{ ref('int_funnel_completions__mapped') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

steps as (
    select * from {{ ref('stg_config__funnel_steps') }}
),

next_instants as (
    select * from {{ ref('int_funnel_completions__next_instants') }}
),

exclusions as (
    select * from {{ ref('int_funnel_exclusions__mapped') }}
),

successors as (
    {{ funnel_step_successors('completions', 'session_id', 'session_position') }}
),

linked as (
    {{ funnel_linked_completions(
        'completions', 'successors', 'funnels', 'steps', 'next_instants',
        'session_id', 'session_position', 'next_session_instant_at'
    ) }}
),

attempts as (
    {{ funnel_attempt_steps('linked', 'session_id', 'session_position') }}
),

unordered as (
    {{ funnel_unordered_attempts('completions', 'funnels', 'steps', 'session_id', 'session_position') }}
),

reached as (
    select
        funnel_id,
        session_id,
        start_position,
        start_step,
        window_ends_at,
        step_number,
        session_position,
        reached_at
    from attempts
    where is_reached
    union all
    select
        funnel_id,
        session_id,
        start_position,
        start_step,
        window_ends_at,
        step_number,
        session_position,
        reached_at
    from unordered
),

outcomes as (
    {{ funnel_attempt_outcomes('reached', 'exclusions', 'session_id') }}
),

final as (
    select
        funnel_id,
        session_id,
        start_position,
        start_step,
        step_number,
        session_position,
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
