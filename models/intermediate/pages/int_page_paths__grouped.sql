-- The page-to-group matcher: one row per distinct page_path of a page view that matches a page group
-- (stg_config__page_groups, SQL LIKE), with the group it belongs to. The longest matching pattern wins; ties
-- go to the smallest pattern text. Patterns are matched once per distinct path, not per page view.
with

events as (
    select * from {{ ref('int_events__sessionized') }}
),

page_groups as (
    select * from {{ ref('stg_config__page_groups') }}
),

distinct_paths as (
    select distinct page_path
    from events
    where
        event_name = 'page_view'
        and page_path is not null
),

path_matches as (
    select
        distinct_paths.page_path,
        page_groups.page_group,
        page_groups.page_path_like,
        row_number() over (
            partition by distinct_paths.page_path
            order by page_groups.pattern_length desc, page_groups.page_path_like asc
        ) as match_rank
    from distinct_paths
    inner join page_groups on distinct_paths.page_path like page_groups.page_path_like
),

final as (
    select
        page_path,
        page_group,
        page_path_like
    from path_matches
    where match_rank = 1
)

select * from final
