-- One row per day (session start date, UTC): traffic, engagement, conversions by type, revenue and orders.
-- Every count is attributed to the day its session started, like fct_funnel_daily.
with

sessions as (
    select * from {{ ref('fct_sessions') }}
),

conversions as (
    select * from {{ ref('fct_conversions') }}
),

events as (
    select * from {{ ref('int_events__sessionized') }}
),

order_events as (
    -- Macro conversions whose completing event carries revenue are orders; one order id counts once
    -- (its first such event), so a re-sent purchase event does not double the order.
    select
        conversions.session_id,
        events.revenue,
        row_number() over (
            partition by coalesce(events.order_id, events.event_id)
            order by conversions.converted_at, conversions.completing_event_id
        ) as order_event_rank
    from conversions
    inner join events on conversions.completing_event_id = events.event_id
    where
        conversions.goal_kind = 'macro'
        and events.revenue is not null
),

orders as (
    select
        session_id,
        revenue as order_revenue
    from order_events
    where order_event_rank = 1
),

daily_orders as (
    select
        sessions.session_date,
        count(*) as orders,
        sum(orders.order_revenue) as order_revenue
    from orders
    inner join sessions on orders.session_id = sessions.session_id
    group by sessions.session_date
),

daily_sessions as (
    select
        session_date,
        count(*) as sessions,
        -- `users` is the column name PRODUCT.md promises.
        count(distinct user_key) as users,
        count(case when is_engaged then 1 end) as engaged_sessions,
        cast(sum(process_milestone_conversions) as bigint) as process_milestone_conversions,
        cast(sum(secondary_action_conversions) as bigint) as secondary_action_conversions,
        cast(sum(engagement_conversions) as bigint) as engagement_conversions,
        cast(sum(micro_conversions) as bigint) as micro_conversions,
        cast(sum(macro_conversions) as bigint) as macro_conversions,
        count(case when converted then 1 end) as converting_sessions,
        sum(revenue) as revenue
    from sessions
    group by session_date
),

final as (
    select
        daily_sessions.session_date,
        daily_sessions.sessions,
        daily_sessions.users,
        daily_sessions.engaged_sessions,
        cast(daily_sessions.engaged_sessions as double) / daily_sessions.sessions as engagement_rate,
        daily_sessions.process_milestone_conversions,
        daily_sessions.secondary_action_conversions,
        daily_sessions.engagement_conversions,
        daily_sessions.micro_conversions,
        daily_sessions.macro_conversions,
        daily_sessions.converting_sessions,
        cast(daily_sessions.converting_sessions as double) / daily_sessions.sessions as session_conversion_rate,
        daily_sessions.revenue,
        coalesce(daily_orders.orders, 0) as orders,
        coalesce(daily_orders.order_revenue, 0) as order_revenue,
        case
            when daily_orders.orders > 0 then cast(daily_orders.order_revenue as double) / daily_orders.orders
        end as average_order_value
    from daily_sessions
    left join daily_orders on daily_sessions.session_date = daily_orders.session_date
)

select * from final
