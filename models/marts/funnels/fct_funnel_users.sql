-- One row per funnel x user that entered the funnel: the counted attempt (the best over every possible start,
-- the earliest start among equals); a user whose furthest attempt is excluded has furthest_step 0 and
-- is_excluded true.
-- Incremental: the user_keys the new loads change, recomputed from their whole history (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}
with

attempts as (
    select * from {{ ref('int_funnel_users__attempts') }}
    {{ incremental_key_filter('user_key') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
    {{ incremental_key_filter('user_key') }}
),

counted as (
    select
        funnel_id,
        user_key,
        max(step_number) as attempt_furthest_step,
        min(start_step) as entry_step,
        min(case when step_number = start_step then reached_at end) as started_at,
        min(case when step_number = start_step then session_id end) as start_session_id,
        max(reached_at) as furthest_reached_at,
        {{ dbt.bool_or('is_excluded') }} as is_excluded,
        min(attempts) as attempts
    from attempts
    where is_chosen
    group by funnel_id, user_key
),

final as (
    select
        counted.funnel_id,
        counted.user_key,
        case when counted.is_excluded then 0 else counted.attempt_furthest_step end as furthest_step,
        funnels.total_steps,
        not counted.is_excluded and counted.attempt_furthest_step = funnels.total_steps as completed,
        counted.started_at,
        case
            when not counted.is_excluded and counted.attempt_furthest_step = funnels.total_steps
                then counted.furthest_reached_at
        end as completed_at,
        case
            when not counted.is_excluded and counted.attempt_furthest_step = funnels.total_steps
                then {{ seconds_between('counted.started_at', 'counted.furthest_reached_at') }}
        end as seconds_to_complete,
        counted.attempts,
        counted.start_session_id,
        sessions.channel as start_channel,
        sessions.device_category as start_device_category,
        counted.is_excluded,
        counted.entry_step
    from counted
    inner join funnels on counted.funnel_id = funnels.funnel_id
    inner join sessions on counted.start_session_id = sessions.session_id
)

select * from final
