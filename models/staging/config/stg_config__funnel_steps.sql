-- Funnel steps joined to their funnel (stg_config__funnels, which validates the funnel itself), validated:
-- steps 1..n without gaps, known goals, a known funnel, and the optional max_hours_from_previous (> 0, not on
-- step 1, not larger than the funnel's window, not in unordered funnels).
with

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

steps as (
    select * from {{ ref('funnel_steps') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

joined as (
    select
        {{ clean_text('steps.funnel_id') }} as funnel_id,
        steps.step_number,
        {{ clean_text('steps.goal_id') }} as goal_id,
        {{ clean_text(
            'cast(' ~ funnel_optional_column(
                ref('funnel_steps'), 'max_hours_from_previous', 'cast(null as string)', 'steps'
            ) ~ ' as string)'
        ) }} as max_hours_text,
        funnels.funnel_name,
        funnels.conversion_window_hours,
        funnels.funnel_mode,
        funnels.funnel_type,
        funnels.funnel_id is not null as has_funnel,
        goals.goal_id is not null as has_goal,
        count(*) over (partition by steps.funnel_id) as funnel_steps,
        count(*) over (partition by steps.funnel_id, steps.step_number) as rows_with_step_number,
        max(steps.step_number) over (partition by steps.funnel_id) as max_step_number,
        min(steps.step_number) over (partition by steps.funnel_id) as min_step_number
    from steps
    left join funnels on {{ clean_text('steps.funnel_id') }} = funnels.funnel_id
    left join goals on {{ clean_text('steps.goal_id') }} = goals.goal_id
),

typed as (
    select
        *,
        {{ try_cast_as('max_hours_text', 'double') }} as max_hours_from_previous
    from joined
),

checked as (
    select
        *,
        case
            when not has_funnel then 'funnel_id is not in seeds/funnels.csv'
            when not has_goal then 'goal ' || coalesce(goal_id, '(empty)') || ' is not in seeds/conversion_goals.csv'
            when rows_with_step_number > 1 then 'step_number is repeated'
            when min_step_number <> 1 or max_step_number <> funnel_steps
                then 'steps must be numbered 1..n without gaps'
            when max_hours_text is null then null
            when
                max_hours_from_previous is null or max_hours_from_previous <= 0
                then 'max_hours_from_previous must be a number > 0'
            when step_number = 1 then 'max_hours_from_previous is for steps 2..n (step 1 has no previous step)'
            when funnel_mode = 'unordered' then 'max_hours_from_previous is for ordered and strict funnels'
            when max_hours_from_previous > conversion_window_hours
                then
                    'max_hours_from_previous (' || cast(max_hours_from_previous as string)
                    || ') is larger than the funnel window conversion_window_hours ('
                    || cast(conversion_window_hours as string) || ')'
        end as problem
    from typed
),

final as (
    select
        case
            when problem is null then funnel_id
            else {{ raise_error(
                "'seeds/funnel_steps.csv: funnel ' || coalesce(funnel_id, '(empty)') || ' step '"
                ~ " || coalesce(cast(step_number as string), '(empty)') || ': ' || problem"
            ) }}
        end as funnel_id,
        funnel_name,
        conversion_window_hours,
        funnel_mode,
        funnel_type,
        step_number,
        goal_id,
        max_hours_from_previous,
        funnel_steps as total_steps,
        step_number = funnel_steps as is_last_step
    from checked
)

select * from final
