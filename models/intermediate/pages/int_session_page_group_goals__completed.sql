-- One row per session x page group x goal the session completed after its first view of the group (a
-- completion at a larger event_number than that view; one before it does not count). mart_page_goals counts
-- these rows per group and goal.
-- Incremental (README "Incremental builds"): the visitors the new loads change replace their rows.
{{ config(materialized=incremental_materialization(), unique_key='visitor_id') }}
with

session_page_groups as (
    select * from {{ ref('int_session_page_groups__aggregated') }}
    {{ incremental_key_filter('visitor_id') }}
),

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
    {{ incremental_key_filter('visitor_id') }}
),

session_goal_last_completions as (
    select
        session_id,
        goal_id,
        max(event_number) as last_completion_position
    from conversions
    group by session_id, goal_id
),

completed_after_view as (
    select
        session_page_groups.visitor_id,
        session_page_groups.session_id,
        session_page_groups.page_group,
        session_goal_last_completions.goal_id
    from session_page_groups
    inner join session_goal_last_completions
        on session_page_groups.session_id = session_goal_last_completions.session_id
    where session_goal_last_completions.last_completion_position > session_page_groups.first_view_position
)

select * from completed_after_view
