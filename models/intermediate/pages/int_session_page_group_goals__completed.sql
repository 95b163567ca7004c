-- One row per session x page group x goal the session completed after its first view of the group (a
-- completion at a larger event_number than that view; one before it does not count). mart_page_goals counts
-- these rows per group and goal. Each goal's last position in the session comes from
-- int_session_goals__first_completed.
-- Incremental (README "Incremental builds"): the visitors the new loads change replace their rows.
{{ config(materialized=incremental_materialization(), unique_key='visitor_id') }}
with

session_page_groups as (
    select * from {{ ref('int_session_page_groups__aggregated') }}
    {{ incremental_key_filter('visitor_id') }}
),

session_goals as (
    select * from {{ ref('int_session_goals__first_completed') }}
    {{ incremental_key_filter('visitor_id') }}
),

completed_after_view as (
    select
        session_page_groups.visitor_id,
        session_page_groups.session_id,
        session_page_groups.page_group,
        session_goals.goal_id
    from session_page_groups
    inner join session_goals on session_page_groups.session_id = session_goals.session_id
    where session_goals.last_event_number > session_page_groups.first_view_position
)

select * from completed_after_view
