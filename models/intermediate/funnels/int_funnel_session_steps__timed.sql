-- One row per funnel x session x reached step, with the time since the previous step. A view: read by
-- fct_funnel_session_steps (which publishes it) and int_funnel_daily__counted.
{{ config(materialized='view') }}

with

matched as (
    select * from {{ ref('int_funnel_sessions__matched') }}
),

steps as (
    select * from {{ ref('stg_config__funnel_steps') }}
),

final as (
    select
        matched.funnel_id,
        matched.session_id,
        matched.step_number,
        steps.goal_id,
        matched.reached_at,
        matched.session_position,
        {{ seconds_between(
            'lag(matched.reached_at) over (partition by matched.funnel_id, matched.session_id order by matched.step_number)',
            'matched.reached_at'
        ) }} as seconds_from_previous_step
    from matched
    inner join steps
        on
            matched.funnel_id = steps.funnel_id
            and matched.step_number = steps.step_number
)

select * from final
