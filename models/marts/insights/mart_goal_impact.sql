-- Grain (session / user) x micro goal x macro goal: how much more often units that completed the micro goal
-- (at or before the macro goal) complete the macro goal, with a 95% CI and a p-value. Association, not causation.
-- Counts come from goal completions only (never a grid of every unit x goal), so the cost grows with conversions.
-- The two grains are prepared by int_session_goals__first_completed and int_user_goals__first_completed.
with

sessions as (
    select * from {{ ref('fct_sessions') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

session_goal_firsts as (
    select * from {{ ref('int_session_goals__first_completed') }}
),

user_goal_firsts as (
    select * from {{ ref('int_user_goals__first_completed') }}
),

unit_totals as (
    select
        'session' as grain,
        count(*) as units
    from sessions
    union all
    select
        'user' as grain,
        count(distinct user_key) as units
    from sessions
),

unit_goal_firsts as (
    -- Both grains as units x goals; "first_position" orders the micro and the macro goal within a unit.
    select
        'session' as grain,
        session_id as unit_id,
        goal_id,
        goal_kind,
        cast(first_event_number as double) as first_position,
        value
    from session_goal_firsts
    union all
    select
        'user' as grain,
        user_key as unit_id,
        goal_id,
        goal_kind,
        first_seconds_from_first_seen as first_position,
        value
    from user_goal_firsts
),

micro_firsts as (
    select * from unit_goal_firsts
    where goal_kind = 'micro'
),

macro_firsts as (
    select * from unit_goal_firsts
    where goal_kind = 'macro'
),

micro_units as (
    select
        grain,
        goal_id as micro_goal_id,
        count(*) as units_with_micro
    from micro_firsts
    group by grain, goal_id
),

macro_units as (
    select
        grain,
        goal_id as macro_goal_id,
        count(*) as units_with_macro,
        sum(value) as macro_value
    from macro_firsts
    group by grain, goal_id
),

paired as (
    -- Units with both goals: the micro goal counts as "before" when its first completion is at or before
    -- the macro goal's first completion (the same event counts as before).
    select
        micro_firsts.grain,
        micro_firsts.goal_id as micro_goal_id,
        macro_firsts.goal_id as macro_goal_id,
        count(case when micro_firsts.first_position <= macro_firsts.first_position then 1 end) as macro_with,
        count(case when micro_firsts.first_position > macro_firsts.first_position then 1 end) as micro_after_macro
    from micro_firsts
    inner join macro_firsts
        on
            micro_firsts.grain = macro_firsts.grain
            and micro_firsts.unit_id = macro_firsts.unit_id
    group by micro_firsts.grain, micro_firsts.goal_id, macro_firsts.goal_id
),

grid as (
    select
        unit_totals.grain,
        unit_totals.units,
        micro_goals.goal_id as micro_goal_id,
        micro_goals.micro_type,
        macro_goals.goal_id as macro_goal_id
    from unit_totals
    cross join goals as micro_goals
    cross join goals as macro_goals
    where
        micro_goals.goal_kind = 'micro'
        and macro_goals.goal_kind = 'macro'
),

counted as (
    select
        grid.grain,
        grid.micro_goal_id,
        grid.micro_type,
        grid.macro_goal_id,
        coalesce(micro_units.units_with_micro, 0) - coalesce(paired.micro_after_macro, 0) as units_with,
        grid.units - coalesce(micro_units.units_with_micro, 0) + coalesce(paired.micro_after_macro, 0)
            as units_without,
        coalesce(paired.macro_with, 0) as macro_with,
        coalesce(macro_units.units_with_macro, 0) - coalesce(paired.macro_with, 0) as macro_without,
        case
            when macro_units.units_with_macro > 0
                then cast(macro_units.macro_value as double) / macro_units.units_with_macro
        end as avg_macro_value
    from grid
    left join micro_units
        on
            grid.grain = micro_units.grain
            and grid.micro_goal_id = micro_units.micro_goal_id
    left join macro_units
        on
            grid.grain = macro_units.grain
            and grid.macro_goal_id = macro_units.macro_goal_id
    left join paired
        on
            grid.grain = paired.grain
            and grid.micro_goal_id = paired.micro_goal_id
            and grid.macro_goal_id = paired.macro_goal_id
),

rated as (
    select
        *,
        case when units_with > 0 then cast(macro_with as double) / units_with end as rate_with,
        case when units_without > 0 then cast(macro_without as double) / units_without end as rate_without,
        case
            when units_with + units_without > 0
                then cast(macro_with + macro_without as double) / (units_with + units_without)
        end as pooled_rate
    from counted
),

final as (
    select
        grain,
        micro_goal_id,
        micro_type,
        macro_goal_id,
        units_with,
        units_without,
        macro_with,
        macro_without,
        rate_with,
        rate_without,
        rate_with - rate_without as difference,
        case when rate_without > 0 then rate_with / rate_without - 1 end as lift,
        -- 6 decimals: the p-value's normal CDF approximation is exact to about 1e-7.
        round({{ newcombe_diff_lower('macro_with', 'units_with', 'macro_without', 'units_without') }}, 6) as ci_low,
        round({{ newcombe_diff_upper('macro_with', 'units_with', 'macro_without', 'units_without') }}, 6) as ci_high,
        round({{ two_proportion_p_value('macro_with', 'units_with', 'macro_without', 'units_without') }}, 6)
            as p_value,
        avg_macro_value,
        (rate_with - rate_without) * avg_macro_value as implied_value_per_micro,
        coalesce(
            units_with >= {{ var('impact_min_sample') }}
            and units_without >= {{ var('impact_min_sample') }}
            and least(units_with, units_without) * least(pooled_rate, 1 - pooled_rate) >= 5,
            false
        ) as is_sample_sufficient
    from rated
)

select * from final
