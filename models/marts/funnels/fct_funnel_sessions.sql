-- One row per funnel x session that entered the funnel (completed step 1).
with

session_steps as (
    select * from {{ ref('fct_funnel_session_steps') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

furthest as (
    select
        funnel_id,
        session_id,
        max(step_number) as furthest_step,
        min(case when step_number = 1 then reached_at end) as started_at,
        max(reached_at) as furthest_reached_at
    from session_steps
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
        furthest.furthest_step,
        funnels.total_steps,
        furthest.furthest_step = funnels.total_steps as completed,
        furthest.started_at,
        case when furthest.furthest_step = funnels.total_steps then furthest.furthest_reached_at end as completed_at,
        case
            when furthest.furthest_step = funnels.total_steps
                then {{ seconds_between('furthest.started_at', 'furthest.furthest_reached_at') }}
        end as seconds_to_complete
    from furthest
    inner join funnels on furthest.funnel_id = funnels.funnel_id
    inner join sessions on furthest.session_id = sessions.session_id
)

select * from final
