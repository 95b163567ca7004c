-- One row per funnel x session x reached step, with the time since the previous step
-- (computed in int_funnel_session_steps__timed).
-- A view: the incremental table it publishes holds the rows (a table here was a full copy of it, rewritten on
-- every incremental run because it has no user_key to replace rows by).
{{ config(materialized='view') }}

with

session_steps as (
    select * from {{ ref('int_funnel_session_steps__timed') }}
),

final as (
    select
        funnel_id,
        session_id,
        step_number,
        goal_id,
        reached_at,
        session_position,
        seconds_from_previous_step
    from session_steps
)

select * from final
