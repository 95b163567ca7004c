-- One wide row per session for BI tools: for every goal of seeds/conversion_goals.csv, its completions in the
-- session (count_per = session goals: at most 1), their value and the first completion time. The columns are
-- generated from the goal catalog (stg_config__conversion_goals, read when the model runs); goal ids are
-- validated there as identifier-safe, and checked again here.
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
with

sessions as (
    select * from {{ ref('fct_sessions') }}
),

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

counted as (
    -- count_per = session: only the first completion of the goal in the session counts.
    select
        conversions.session_id,
        conversions.goal_id,
        conversions.converted_at,
        conversions.value,
        coalesce(goals.count_per, 'event') = 'event' or row_number() over (
            partition by conversions.session_id, conversions.goal_id
            order by conversions.converted_at, conversions.event_number
        ) = 1 as is_counted
    from conversions
    inner join goals on conversions.goal_id = goals.goal_id
),

pivoted as (
    select
        session_id,
        {% for goal_id in goal_ids -%}
            count(case when goal_id = '{{ goal_id }}' and is_counted then 1 end) as {{ goal_id }}__completions,
            sum(case when goal_id = '{{ goal_id }}' and is_counted then value end) as {{ goal_id }}__value,
            min(case when goal_id = '{{ goal_id }}' then converted_at end) as {{ goal_id }}__first_at,
        {% endfor -%}
        count(case when is_counted then 1 end) as goal_completions
    from counted
    group by session_id
),

final as (
    select
        sessions.session_id,
        {% for goal_id in goal_ids -%}
            coalesce(pivoted.{{ goal_id }}__completions, 0) as {{ goal_id }}__completions,
            coalesce(pivoted.{{ goal_id }}__value, 0) as {{ goal_id }}__value,
            pivoted.{{ goal_id }}__first_at,
        {% endfor -%}
        coalesce(pivoted.goal_completions, 0) as goal_completions
    from sessions
    left join pivoted on sessions.session_id = pivoted.session_id
)

select * from final
