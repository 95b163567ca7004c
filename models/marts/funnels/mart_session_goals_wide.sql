-- One wide row per session for BI tools: for every goal of seeds/conversion_goals.csv, its completions in the
-- session (count_per = session goals: at most 1), their value and the first completion time. The columns are
-- generated from the goal catalog (stg_config__conversion_goals, read when the model runs); goal ids are
-- validated there as identifier-safe, and checked again here.
-- Incremental: the sessions of the user_keys the new loads change, recomputed (README "Incremental builds").
-- A changed goals seed changes the columns: it needs --full-refresh, like every seed change.
{%- set goal_ids = [] -%}
{%- if execute -%}
{#- The built table itself (not ref(), which a unit test replaces by its fixture rows). -#}
{%- set goals_relation = adapter.get_relation(
database=target.database,
schema=generate_schema_name('staging', none),
identifier='stg_config__conversion_goals'
) -%}
{%- if goals_relation is not none -%}
{%- set goal_ids = run_query('select goal_id from ' ~ goals_relation ~ ' order by goal_id').columns[0].values() -%}
{%- endif -%}
{%- for goal_id in goal_ids -%}
{%- if not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', goal_id) -%}
{{ exceptions.raise_compiler_error(
"mart_session_goals_wide: goal_id '" ~ goal_id ~ "' cannot be a column name (seeds/conversion_goals.csv)"
) }}
{%- endif -%}
{%- endfor -%}
{%- endif %}
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}
with

sessions as (
    select * from {{ ref('fct_sessions') }}
    {{ incremental_key_filter('user_key') }}
),

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
    {{ incremental_key_filter('user_key') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

per_goal as (
    -- One row per session x goal (far fewer than completions), so the pivot below reads little.
    select
        conversions.session_id,
        conversions.goal_id,
        coalesce(goals.count_per, 'event') as count_per,
        count(*) as completions,
        sum(conversions.value) as total_value,
        min(conversions.converted_at) as first_at
    from conversions
    inner join goals on conversions.goal_id = goals.goal_id
    group by conversions.session_id, conversions.goal_id, coalesce(goals.count_per, 'event')
),

first_values as (
    -- count_per = session: only the first completion of the goal in the session counts (its value).
    select
        session_id,
        goal_id,
        value as first_value
    from (
        select
            conversions.session_id,
            conversions.goal_id,
            conversions.value,
            row_number() over (
                partition by conversions.session_id, conversions.goal_id
                order by conversions.converted_at, conversions.event_number
            ) as completion_in_session
        from conversions
        inner join goals on conversions.goal_id = goals.goal_id
        where goals.count_per = 'session'
    ) as ranked
    where completion_in_session = 1
),

counted as (
    select
        per_goal.session_id,
        per_goal.goal_id,
        per_goal.first_at,
        case when per_goal.count_per = 'session' then 1 else per_goal.completions end as completions,
        case
            when per_goal.count_per = 'session' then first_values.first_value else per_goal.total_value
        end as total_value
    from per_goal
    left join first_values
        on per_goal.session_id = first_values.session_id and per_goal.goal_id = first_values.goal_id
),

pivoted as (
    select
        session_id,
        {% for goal_id in goal_ids %}
        cast(sum(case when goal_id = '{{ goal_id }}' then completions end) as bigint)
            as {{ goal_id }}__completions,
        sum(case when goal_id = '{{ goal_id }}' then total_value end) as {{ goal_id }}__value,
        min(case when goal_id = '{{ goal_id }}' then first_at end) as {{ goal_id }}__first_at,
        {% endfor %}
        cast(sum(completions) as bigint) as goal_completions
    from counted
    group by session_id
),

final as (
    select
        sessions.session_id,
        sessions.user_key,
        {% for goal_id in goal_ids %}
        coalesce(pivoted.{{ goal_id }}__completions, 0) as {{ goal_id }}__completions,
        coalesce(pivoted.{{ goal_id }}__value, 0) as {{ goal_id }}__value,
        pivoted.{{ goal_id }}__first_at,
        {% endfor %}
        coalesce(pivoted.goal_completions, 0) as goal_completions
    from sessions
    left join pivoted on sessions.session_id = pivoted.session_id
)

select * from final
