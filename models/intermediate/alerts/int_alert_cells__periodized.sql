-- Funnel step counts per period (var alert_period) x funnel step x channel x device_category: the finest grain
-- of the alerts, re-aggregated from fct_funnel_daily's counts (never from averaged rates). Only the funnels of
-- var alert_funnels (every funnel when it is empty).
{%- set period = var('alert_period') -%}
{%- set watched_funnels = var('alert_funnels') -%}
{%- set watched_filter = "funnel_id in ('" ~ watched_funnels | join("', '") ~ "')" if watched_funnels else "true" -%}
{%- if period not in ['day', 'week'] -%}
    {{ exceptions.raise_compiler_error("var alert_period must be 'day' or 'week', got '" ~ period ~ "'") }}
{%- endif %}

with

funnel_daily as (
    select * from {{ ref('int_funnel_daily__counted') }}
),

periodized as (
    select
        funnel_id,
        step_number,
        goal_id,
        coalesce(channel, '(not set)') as channel,
        coalesce(device_category, '(not set)') as device_category,
        cast({{ dbt.date_trunc(period, 'session_date') }} as date) as period_start,
        sessions_reached_previous,
        sessions_reached
    from funnel_daily
    where {{ watched_filter }}
),

aggregated as (
    select
        funnel_id,
        step_number,
        goal_id,
        channel,
        device_category,
        period_start,
        sum(sessions_reached_previous) as sessions_reached_previous,
        sum(sessions_reached) as sessions_reached
    from periodized
    group by funnel_id, step_number, goal_id, channel, device_category, period_start
),

final as (
    select
        funnel_id,
        step_number,
        goal_id,
        channel,
        device_category,
        period_start,
        -- Days since a Monday: orders periods and measures the trailing baseline window.
        {{ dbt.datediff(
            "cast('2000-01-03' as date)", 'period_start', 'day'
        ) }} as period_day,
        sessions_reached_previous,
        sessions_reached
    from aggregated
)

select * from final
