-- Funnel exclusion steps (seeds/funnel_exclusions.csv), validated: a known funnel, a known goal that is not
-- one of the funnel's own steps, 1 <= from_step < to_step <= number of steps, and for unordered funnels a
-- range spanning every step (1..n). A bad row fails the build with a message naming funnel, goal and range.
with

exclusions as (
    select * from {{ ref('funnel_exclusions') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

steps as (
    select * from {{ ref('stg_config__funnel_steps') }}
),

cleaned as (
    select
        {{ clean_text('funnel_id') }} as funnel_id,
        {{ clean_text('goal_id') }} as goal_id,
        from_step,
        to_step
    from exclusions
),

step_goals as (
    select distinct
        funnel_id,
        goal_id
    from steps
),

checked as (
    select
        cleaned.funnel_id,
        cleaned.goal_id,
        cleaned.from_step,
        cleaned.to_step,
        funnels.funnel_mode,
        funnels.total_steps,
        case
            when funnels.funnel_id is null then 'funnel_id is not in seeds/funnels.csv'
            when goals.goal_id is null then 'goal_id is not in seeds/conversion_goals.csv'
            when
                step_goals.goal_id is not null
                then 'goal_id is a step of the funnel; an exclusion must be another goal'
            when cleaned.from_step is null or cleaned.to_step is null then 'from_step and to_step are required'
            when
                not (
                    1 <= cleaned.from_step
                    and cleaned.from_step < cleaned.to_step
                    and cleaned.to_step <= funnels.total_steps
                )
                then
                    'the range must satisfy 1 <= from_step < to_step <= '
                    || cast(funnels.total_steps as string) || ' (the number of steps)'
            when
                funnels.funnel_mode = 'unordered' and (cleaned.from_step <> 1 or cleaned.to_step <> funnels.total_steps)
                then
                    'an exclusion of an unordered funnel must span every step (from_step 1, to_step '
                    || cast(funnels.total_steps as string) || ')'
            when count(*) over (partition by cleaned.funnel_id, cleaned.goal_id, cleaned.from_step, cleaned.to_step) > 1
                then 'the exclusion is repeated'
        end as problem
    from cleaned
    left join funnels on cleaned.funnel_id = funnels.funnel_id
    left join goals on cleaned.goal_id = goals.goal_id
    left join step_goals on cleaned.funnel_id = step_goals.funnel_id and cleaned.goal_id = step_goals.goal_id
),

final as (
    select
        case
            when problem is null then funnel_id
            else {{ raise_error(
                "'seeds/funnel_exclusions.csv: funnel ' || coalesce(funnel_id, '(empty)') || ' goal '"
                ~ " || coalesce(goal_id, '(empty)') || ' steps ' || coalesce(cast(from_step as string), '?')"
                ~ " || '-' || coalesce(cast(to_step as string), '?') || ': ' || problem"
            ) }}
        end as funnel_id,
        goal_id,
        from_step,
        to_step
    from checked
)

select * from final
