-- One row per funnel (seeds/funnels.csv), validated: a unique, non-empty funnel_id, a window > 0 and at
-- least one step in seeds/funnel_steps.csv. The list of funnels every funnel model reads.
with

funnels as (
    select * from {{ ref('funnels') }}
),

steps as (
    select * from {{ ref('funnel_steps') }}
),

step_counts as (
    select
        {{ clean_text('funnel_id') }} as funnel_id,
        count(*) as total_steps
    from steps
    group by {{ clean_text('funnel_id') }}
),

cleaned as (
    select
        {{ clean_text('funnel_id') }} as funnel_id,
        {{ clean_text('funnel_name') }} as funnel_name,
        conversion_window_hours
    from funnels
),

checked as (
    select
        cleaned.*,
        coalesce(step_counts.total_steps, 0) as total_steps,
        case
            when cleaned.funnel_id is null then 'funnel_id is empty'
            when count(*) over (partition by cleaned.funnel_id) > 1 then 'funnel_id is repeated'
            when cleaned.conversion_window_hours is null or cleaned.conversion_window_hours <= 0
                then 'conversion_window_hours must be a number > 0'
            when step_counts.total_steps is null then 'no steps in seeds/funnel_steps.csv'
        end as problem
    from cleaned
    left join step_counts on cleaned.funnel_id = step_counts.funnel_id
),

final as (
    select
        case
            when problem is null then funnel_id
            else {{ raise_error(
                "'seeds/funnels.csv: funnel ' || coalesce(funnel_id, '(empty)') || ': ' || problem"
            ) }}
        end as funnel_id,
        funnel_name,
        conversion_window_hours,
        total_steps
    from checked
)

select * from final
