-- fct_conversions with the start date of the conversion's session, so MetricFlow attributes goal
-- completions to the day their session started, as mart_kpi_daily and fct_funnel_daily do.
{{ config(materialized='view', schema='semantic') }}

with

conversions as (
    select * from {{ ref('fct_conversions') }}
),

sessions as (
    select
        session_id,
        session_date
    from {{ ref('fct_sessions') }}
),

final as (
    select
        conversions.conversion_id,
        conversions.goal_id,
        conversions.goal_kind,
        conversions.micro_type,
        conversions.session_id,
        conversions.user_key,
        conversions.converted_at,
        conversions.value,
        sessions.session_date
    from conversions
    inner join sessions on conversions.session_id = sessions.session_id
)

select * from final
