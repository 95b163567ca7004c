-- In every slice of fct_funnel_daily a step never has more sessions than the step before it (closed funnels;
-- an open funnel may be entered at any step, so its later steps can have more sessions).
with

daily as (
    select * from {{ ref('fct_funnel_daily') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

failures as (
    select
        daily.session_date,
        daily.funnel_id,
        daily.step_number,
        daily.channel,
        daily.device_category,
        daily.sessions_reached_previous,
        daily.sessions_reached
    from daily
    inner join funnels on daily.funnel_id = funnels.funnel_id
    where funnels.funnel_type = 'closed' and daily.sessions_reached > daily.sessions_reached_previous
)

select * from failures
