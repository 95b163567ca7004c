-- Orders: one row per order. An order is a macro conversion whose completing event carries a revenue
-- (purchase-like events); one order_id counts once, at its first such completion (converted_at, then
-- completing_event_id), so a re-sent purchase event does not double the order. An event without order_id is
-- its own order.
with

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

events as (
    select * from {{ ref('int_events__sessionized') }}
),

order_events as (
    select
        coalesce(events.order_id, events.event_id) as order_key,
        events.order_id,
        conversions.session_id,
        conversions.completing_event_id,
        conversions.converted_at as ordered_at,
        events.revenue,
        row_number() over (
            partition by coalesce(events.order_id, events.event_id)
            order by conversions.converted_at, conversions.completing_event_id
        ) as order_event_rank
    from conversions
    inner join goals on conversions.goal_id = goals.goal_id
    inner join events on conversions.completing_event_id = events.event_id
    where
        goals.goal_kind = 'macro'
        and events.revenue is not null
),

final as (
    select
        order_key,
        order_id,
        session_id,
        completing_event_id,
        ordered_at,
        revenue
    from order_events
    where order_event_rank = 1
)

select * from final
