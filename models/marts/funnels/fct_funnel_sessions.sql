-- One row per funnel x session that entered the funnel (started an attempt), from its counted attempt; a
-- session whose furthest attempt is excluded has furthest_step 0 and is_excluded true.
-- Incremental: the user_keys the new loads change, recomputed from their whole history (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}
with

attempts as (
    select * from {{ ref('int_funnel_sessions__attempts') }}
    {{ incremental_key_filter('user_key') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
    {{ incremental_key_filter('user_key') }}
),

furthest as (
    select
        funnel_id,
        session_id,
        max(step_number) as attempt_furthest_step,
        min(start_step) as entry_step,
        min(case when step_number = start_step then reached_at end) as started_at,
        max(reached_at) as furthest_reached_at,
        {{ dbt.bool_or('is_excluded') }} as is_excluded
    from attempts
    where is_chosen
    group by funnel_id, session_id
),

final as (
    select
        furthest.funnel_id,
        furthest.session_id,
        sessions.user_key,
        sessions.session_date,
        sessions.channel,
        sessions.device_category,
        case when furthest.is_excluded then 0 else furthest.attempt_furthest_step end as furthest_step,
        funnels.total_steps,
        not furthest.is_excluded and furthest.attempt_furthest_step = funnels.total_steps as completed,
        furthest.started_at,
        case
            when not furthest.is_excluded and furthest.attempt_furthest_step = funnels.total_steps
                then furthest.furthest_reached_at
        end as completed_at,
        case
            when not furthest.is_excluded and furthest.attempt_furthest_step = funnels.total_steps
                then {{ seconds_between('furthest.started_at', 'furthest.furthest_reached_at') }}
        end as seconds_to_complete,
        furthest.is_excluded,
        furthest.entry_step
    from furthest
    inner join funnels on furthest.funnel_id = funnels.funnel_id
    inner join sessions on furthest.session_id = sessions.session_id
)

select * from final
