-- The goal catalog seed, typed and validated: a bad row fails the build with a message naming the goal.
-- count_per is an optional column (macro funnel_optional_column): without it, or empty, every completion counts.
with

goals as (
    select * from {{ ref('conversion_goals') }}
),

cleaned as (
    select
        {{ clean_text('goal_id') }} as goal_id,
        {{ clean_text('goal_name') }} as goal_name,
        lower({{ clean_text('goal_kind') }}) as goal_kind,
        lower({{ clean_text('micro_type') }}) as micro_type,
        {{ clean_text('event_name') }} as event_name,
        {{ clean_text('page_path_like') }} as page_path_like,
        lower({{ clean_text('session_metric') }}) as session_metric,
        {{ clean_text('session_metric_above') }} as session_metric_above_text,
        {{ try_cast_as(clean_text('session_metric_above'), 'double') }} as session_metric_above,
        goal_value,
        lower({{ clean_text(
            'cast(' ~ funnel_optional_column(ref('conversion_goals'), 'count_per', 'cast(null as string)') ~ ' as string)'
        ) }}) as count_per_text,
        count(*) over (partition by {{ clean_text('goal_id') }}) as rows_with_goal_id,
        count(*) over (partition by lower({{ clean_text('goal_id') }})) as rows_with_lower_goal_id
    from goals
),

checked as (
    select
        *,
        case
            when goal_id is null then 'goal_id is empty'
            when rows_with_goal_id > 1 then 'goal_id is not unique'
            -- Goal ids name the columns of mart_session_goals_wide (<goal_id>__completions, ...).
            when not {{ regex_matches('goal_id', "'^[A-Za-z_][A-Za-z0-9_]*$'") }}
                then
                    'goal_id must be usable as a column name (letters, digits and _, not starting with a digit)'
                    || ' for mart_session_goals_wide'
            when rows_with_lower_goal_id > 1
                then 'goal_id differs from another goal_id only in upper/lower case (one column name for both)'
            when goal_kind is null or goal_kind not in ('macro', 'micro') then 'goal_kind must be macro or micro'
            when goal_kind = 'micro' and micro_type is null
                then 'micro_type is required for micro goals (process_milestone, secondary_action, engagement)'
            when goal_kind = 'micro' and micro_type not in ('process_milestone', 'secondary_action', 'engagement')
                then 'micro_type must be process_milestone, secondary_action or engagement'
            when goal_kind = 'macro' and micro_type is not null then 'micro_type must be empty for macro goals'
            when (event_name is null) = (session_metric is null)
                then 'set exactly one of event_name and session_metric'
            when session_metric is not null and session_metric not in ('session_duration_s', 'pageviews', 'events')
                then 'session_metric must be session_duration_s, pageviews or events'
            when session_metric is not null and session_metric_above is null
                then 'session_metric_above must be a number for session-metric goals'
            when session_metric is null and session_metric_above_text is not null
                then 'session_metric_above is only for session-metric goals'
            when session_metric is not null and page_path_like is not null
                then 'page_path_like is only for event goals'
            when coalesce(count_per_text, 'event') not in ('event', 'session')
                then 'count_per must be event or session (got ' || count_per_text || ')'
        end as problem
    from cleaned
),

final as (
    select
        -- A bad row raises here, so the build fails with a message that names the goal.
        case
            when problem is null then goal_id
            else {{ raise_error(
                "'seeds/conversion_goals.csv: goal ' || coalesce(goal_id, '(empty)') || ': ' || problem"
            ) }}
        end as goal_id,
        coalesce(goal_name, goal_id) as goal_name,
        goal_kind,
        micro_type,
        event_name,
        page_path_like,
        session_metric,
        session_metric_above,
        goal_value,
        case when event_name is not null then 'event' else 'session_metric' end as goal_source,
        coalesce(count_per_text, 'event') as count_per
    from checked
)

select * from final
