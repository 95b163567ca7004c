-- One row per page view (event_name = 'page_view') whose page_path belongs to a page group, with the group of
-- the session's next page view and whether it is the session's last page view. Page views that match no group
-- have no row, but they still count as the next page of the one before them ('(other)').
-- Incremental (README "Incremental builds"): the visitors the new loads change are recomputed and replace their
-- rows; a page path's group never changes (a path first seen comes with new events only).
{{ config(materialized=incremental_materialization(), unique_key='visitor_id') }}
with

events as (
    select * from {{ ref('int_events__sessionized') }}
    {{ incremental_key_filter('visitor_id') }}
),

path_groups as (
    select * from {{ ref('int_page_paths__grouped') }}
),

page_views as (
    select
        event_id,
        visitor_id,
        session_id,
        event_number,
        page_path,
        lead(page_path) over (partition by session_id order by event_number) as next_page_path,
        lead(event_number) over (partition by session_id order by event_number) is null as is_exit
    from events
    where event_name = 'page_view'
),

final as (
    select
        page_views.event_id,
        page_views.visitor_id,
        page_views.session_id,
        page_views.event_number,
        page_views.page_path,
        current_groups.page_group,
        page_views.is_exit,
        case
            when page_views.is_exit then '(exit)'
            else coalesce(next_groups.page_group, '(other)')
        end as next_page_group
    from page_views
    inner join path_groups as current_groups on page_views.page_path = current_groups.page_path
    left join path_groups as next_groups on page_views.next_page_path = next_groups.page_path
)

select * from final
