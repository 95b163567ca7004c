-- Completions of exclusion goals (seeds/funnel_exclusions.csv), one row per exclusion rule x completion, with
-- the session and user they belong to. Goals counted once per session (count_per = session) keep their first
-- completion in each session only, as for the steps.
-- Incremental: the user_keys the new loads change, recomputed from their whole history (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}
with

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
    {{ incremental_key_filter('user_key') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

exclusions as (
    select * from {{ ref('stg_config__funnel_exclusions') }}
),

counted as (
    select
        conversions.goal_id,
        conversions.session_id,
        conversions.user_key,
        conversions.converted_at,
        coalesce(goals.count_per, 'event') as count_per,
        row_number() over (
            partition by conversions.goal_id, conversions.session_id
            order by conversions.converted_at, conversions.event_number
        ) as completion_in_session
    from conversions
    inner join goals on conversions.goal_id = goals.goal_id
    where conversions.goal_id in (select exclusions.goal_id from exclusions)
),

final as (
    select
        exclusions.funnel_id,
        exclusions.goal_id,
        exclusions.from_step,
        exclusions.to_step,
        counted.session_id,
        counted.user_key,
        counted.converted_at
    from counted
    inner join exclusions on counted.goal_id = exclusions.goal_id
    where counted.count_per = 'event' or counted.completion_in_session = 1
)

select * from final
