-- Strict funnels: for every instant at which a step of a strict funnel is completed, the next instant at which
-- the session (and the user) has any event at all. A strict attempt's next step must come no later than that:
-- any event in between, goal or not, breaks the attempt; events at one instant do not break each other.
-- Only the sessions and users with strict-funnel completions are read (nothing to do without strict funnels).
-- Incremental: the user_keys the new loads change, recomputed from their whole history (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}
with

completions as (
    select * from {{ ref('int_funnel_completions__mapped') }}
    {{ incremental_key_filter('user_key') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

events as (
    select * from {{ ref('int_events__sessionized') }}
),

visitors as (
    select * from {{ ref('int_visitors__stitched') }}
    {{ incremental_key_filter('user_key') }}
),

strict_completions as (
    select distinct
        completions.session_id,
        completions.user_key,
        completions.converted_at
    from completions
    inner join funnels on completions.funnel_id = funnels.funnel_id
    where funnels.funnel_mode = 'strict'
),

session_instants as (
    select
        session_id,
        event_ts
    from events
    where session_id in (select strict_completions.session_id from strict_completions)
    group by session_id, event_ts
),

session_next as (
    select
        session_id,
        event_ts,
        lead(event_ts) over (partition by session_id order by event_ts) as next_instant_at
    from session_instants
),

user_instants as (
    select
        visitors.user_key,
        events.event_ts
    from events
    inner join visitors on events.visitor_id = visitors.visitor_id
    where visitors.user_key in (select strict_completions.user_key from strict_completions)
    group by visitors.user_key, events.event_ts
),

user_next as (
    select
        user_key,
        event_ts,
        lead(event_ts) over (partition by user_key order by event_ts) as next_instant_at
    from user_instants
),

final as (
    select
        strict_completions.session_id,
        strict_completions.user_key,
        strict_completions.converted_at,
        session_next.next_instant_at as next_session_instant_at,
        user_next.next_instant_at as next_user_instant_at
    from strict_completions
    left join session_next
        on
            strict_completions.session_id = session_next.session_id
            and strict_completions.converted_at = session_next.event_ts
    left join user_next
        on
            strict_completions.user_key = user_next.user_key
            and strict_completions.converted_at = user_next.event_ts
)

select * from final
