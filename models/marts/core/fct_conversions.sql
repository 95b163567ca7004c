-- One row per goal completion (event goals and session-metric goals), with its session and user.
with

event_goal_completions as (
    select * from {{ ref('int_conversions__event_goals') }}
),

session_metric_completions as (
    select * from {{ ref('int_conversions__session_metric_goals') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

visitors as (
    select * from {{ ref('int_visitors__stitched') }}
),

unioned as (
    select
        goal_id,
        session_id,
        visitor_id,
        event_id,
        event_id as completing_event_id,
        converted_at,
        event_number,
        page_path,
        value
    from event_goal_completions
    union all
    select
        goal_id,
        session_id,
        visitor_id,
        null as event_id,
        event_id as completing_event_id,
        converted_at,
        event_number,
        page_path,
        value
    from session_metric_completions
),

final as (
    select
        {{ dbt.hash(dbt.concat(['unioned.goal_id', "'|'", 'unioned.completing_event_id'])) }} as conversion_id,
        unioned.goal_id,
        goals.goal_name,
        goals.goal_kind,
        goals.micro_type,
        goals.goal_source,
        unioned.session_id,
        visitors.user_key,
        unioned.visitor_id,
        unioned.event_id,
        unioned.completing_event_id,
        unioned.converted_at,
        unioned.event_number,
        unioned.page_path,
        unioned.value
    from unioned
    inner join goals on unioned.goal_id = goals.goal_id
    inner join visitors on unioned.visitor_id = visitors.visitor_id
)

select * from final
