-- Step times never go backwards: each reached step is at or after the previous one, in sessions and users.
with

session_steps as (
    select
        funnel_id,
        session_id,
        step_number,
        reached_at,
        lag(reached_at) over (partition by funnel_id, session_id order by step_number) as previous_reached_at,
        lag(session_position) over (
            partition by funnel_id, session_id order by step_number
        ) as previous_position,
        session_position
    from {{ ref('fct_funnel_session_steps') }}
),

user_steps as (
    select
        funnel_id,
        user_key,
        start_position,
        step_number,
        reached_at,
        lag(reached_at) over (
            partition by funnel_id, user_key, start_position order by step_number
        ) as previous_reached_at,
        lag(user_position) over (
            partition by funnel_id, user_key, start_position order by step_number
        ) as previous_position,
        user_position
    from {{ ref('int_funnel_users__attempts') }}
),

failures as (
    select
        'session' as grain,
        funnel_id,
        session_id as unit_id,
        step_number
    from session_steps
    where reached_at < previous_reached_at or session_position <= previous_position
    union all
    select
        'user' as grain,
        funnel_id,
        user_key as unit_id,
        step_number
    from user_steps
    where reached_at < previous_reached_at or user_position <= previous_position
)

select * from failures
