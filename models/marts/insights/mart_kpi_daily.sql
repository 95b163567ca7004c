-- One row per day (session start date, UTC): traffic, engagement, conversions by type, revenue and orders.
-- Every count is attributed to the day its session started, like fct_funnel_daily. Orders: int_orders__deduplicated.
with

sessions as (
    select * from {{ ref('fct_sessions') }}
),

orders as (
    select * from {{ ref('int_orders__deduplicated') }}
),

daily_orders as (
    select
        sessions.session_date,
        count(*) as orders,
        sum(orders.revenue) as order_revenue
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
