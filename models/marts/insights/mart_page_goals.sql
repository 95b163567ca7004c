-- One row per page group (seeds/page_groups.csv): traffic, how often visits go on to complete the group's
-- primary goal (and other goals) after viewing it, exits and the most common next page group.
-- Page views come with their group from int_page_views__grouped (the matcher is int_page_paths__grouped); the
-- per-session counts and goals after the first view from int_session_page_groups__aggregated and
-- int_session_page_group_goals__completed (incremental), so a daily run only sums them here.
with

grouped_page_views as (
    select * from {{ ref('int_page_views__grouped') }}
),

session_page_groups as (
    select * from {{ ref('int_session_page_groups__aggregated') }}
),

session_page_group_goals as (
    select * from {{ ref('int_session_page_group_goals__completed') }}
),

page_groups as (
    select * from {{ ref('stg_config__page_groups') }}
),

group_views as (
    select
        page_group,
        cast(sum(pageviews) as bigint) as pageviews,
        count(*) as visits,
        cast(sum(exits) as bigint) as exits
    from session_page_groups
    group by page_group
),

next_groups as (
    select
        page_group,
        next_page_group,
        count(*) as next_pageviews,
        row_number() over (
            partition by page_group order by count(*) desc, next_page_group asc
        ) as next_rank
    from grouped_page_views
    group by page_group, next_page_group
),

goals_after_view as (
    -- A goal counts for a group when the session completed it after its first view of the group.
    select
        page_group,
        goal_id,
        count(*) as sessions_completed_after_view
    from session_page_group_goals
    group by page_group, goal_id
),

other_goals_ranked as (
    select
        goals_after_view.page_group,
        goals_after_view.goal_id,
        cast(goals_after_view.sessions_completed_after_view as double) / group_views.visits as completion_rate,
        row_number() over (
            partition by goals_after_view.page_group
            order by goals_after_view.sessions_completed_after_view desc, goals_after_view.goal_id asc
        ) as goal_rank
    from goals_after_view
    inner join group_views on goals_after_view.page_group = group_views.page_group
    inner join page_groups on goals_after_view.page_group = page_groups.page_group
    where goals_after_view.goal_id <> page_groups.primary_goal_id
),

other_goals as (
    select
        page_group,
        {{ ordered_string_agg(
            "goal_id || ' ' || " ~ percent_text('completion_rate'), "', '", 'goal_rank'
        ) }} as other_goals
    from other_goals_ranked
    where goal_rank <= 3
    group by page_group
),

final as (
    select
        page_groups.page_group,
        page_groups.page_path_like,
        page_groups.primary_goal_id,
        coalesce(group_views.pageviews, 0) as pageviews,
        coalesce(group_views.visits, 0) as visits,
        coalesce(primary_goals.sessions_completed_after_view, 0) as primary_goal_sessions,
        case
            when group_views.visits > 0
                then cast(coalesce(primary_goals.sessions_completed_after_view, 0) as double) / group_views.visits
        end as primary_goal_completion_rate,
        other_goals.other_goals,
        coalesce(group_views.exits, 0) as exits,
        case when group_views.pageviews > 0 then cast(group_views.exits as double) / group_views.pageviews end
            as exit_rate,
        next_groups.next_page_group as top_next_page_group,
        case
            when group_views.pageviews > 0 then cast(next_groups.next_pageviews as double) / group_views.pageviews
        end as top_next_page_group_share
    from page_groups
    left join group_views on page_groups.page_group = group_views.page_group
    left join goals_after_view as primary_goals
        on
            page_groups.page_group = primary_goals.page_group
            and page_groups.primary_goal_id = primary_goals.goal_id
    left join other_goals on page_groups.page_group = other_goals.page_group
    left join next_groups
        on
            page_groups.page_group = next_groups.page_group
            and next_groups.next_rank = 1
)

select * from final
