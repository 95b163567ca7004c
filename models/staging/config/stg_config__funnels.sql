-- One row per funnel (seeds/funnels.csv), validated: a unique, non-empty funnel_id, a window > 0 (fractional
-- hours allowed), a known funnel_mode and funnel_type, and at least one step in seeds/funnel_steps.csv.
-- funnel_mode and funnel_type are optional columns (macro funnel_optional_column): a seed without them, or
-- an empty cell, means ordered / closed. The list of funnels every funnel model reads.
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
        conversion_window_hours,
        lower({{ clean_text(funnel_optional_column(ref('funnels'), 'funnel_mode', 'cast(null as string)')) }})
            as funnel_mode_text,
        lower({{ clean_text(funnel_optional_column(ref('funnels'), 'funnel_type', 'cast(null as string)')) }})
            as funnel_type_text
    from funnels
),

checked as (
    select
        cleaned.funnel_id,
        cleaned.funnel_name,
        cleaned.conversion_window_hours,
        coalesce(cleaned.funnel_mode_text, 'ordered') as funnel_mode,
        coalesce(cleaned.funnel_type_text, 'closed') as funnel_type,
        coalesce(step_counts.total_steps, 0) as total_steps,
        case
            when cleaned.funnel_id is null then 'funnel_id is empty'
            when count(*) over (partition by cleaned.funnel_id) > 1 then 'funnel_id is repeated'
            when cleaned.conversion_window_hours is null or cleaned.conversion_window_hours <= 0
                then 'conversion_window_hours must be a number > 0'
            when coalesce(cleaned.funnel_mode_text, 'ordered') not in ('ordered', 'strict', 'unordered')
                then 'funnel_mode must be ordered, strict or unordered (got ' || cleaned.funnel_mode_text || ')'
            when coalesce(cleaned.funnel_type_text, 'closed') not in ('closed', 'open')
                then 'funnel_type must be closed or open (got ' || cleaned.funnel_type_text || ')'
            when cleaned.funnel_type_text = 'open' and cleaned.funnel_mode_text = 'unordered'
                then 'funnel_type open is for ordered and strict funnels (an unordered funnel has no entry step)'
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
        funnel_mode,
        funnel_type,
        total_steps
    from checked
)

select * from final
