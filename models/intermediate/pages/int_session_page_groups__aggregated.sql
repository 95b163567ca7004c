-- One row per session x page group viewed in it: its page views, exits and the position of its first view.
-- The session grain of mart_page_goals, kept so the mart only sums it.
-- Incremental (README "Incremental builds"): the visitors the new loads change replace their rows.
{{ config(materialized=incremental_materialization(), unique_key='visitor_id') }}
with

grouped_page_views as (
    select * from {{ ref('int_page_views__grouped') }}
    {{ incremental_key_filter('visitor_id') }}
),

aggregated as (
    select
        visitor_id,
        session_id,
        page_group,
        count(*) as pageviews,
        count(case when is_exit then 1 end) as exits,
        min(event_number) as first_view_position
    from grouped_page_views
    group by visitor_id, session_id, page_group
)

select * from aggregated
