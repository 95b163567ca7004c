-- Time to convert: for every funnel x pair of reached steps (from_step < to_step, first to last included) x time
-- bin, the sessions and users whose counted attempt went from one step to the other in that time. Bins: the
-- var funnel_time_bins_s (lower edges in seconds; the last bin has no upper edge).
{%- set edges = var('funnel_time_bins_s') %}
with

session_steps as (
    select * from {{ ref('fct_funnel_session_steps') }}
),

user_attempts as (
    select * from {{ ref('int_funnel_users__attempts') }}
),

user_steps as (
    select
        funnel_id,
        user_key,
        step_number,
        reached_at
    from user_attempts
    where is_chosen and not is_excluded
),

session_pairs as (
    -- Steps per unit are few (n), so the pairs are at most n * (n - 1) / 2 per session: no explosion.
    select
        from_steps.funnel_id,
        from_steps.step_number as from_step,
        to_steps.step_number as to_step,
        {{ seconds_between('from_steps.reached_at', 'to_steps.reached_at') }} as seconds
    from session_steps as from_steps
    inner join session_steps as to_steps
        on
            from_steps.funnel_id = to_steps.funnel_id
            and from_steps.session_id = to_steps.session_id
            and from_steps.step_number < to_steps.step_number
),

user_pairs as (
    select
        from_steps.funnel_id,
        from_steps.step_number as from_step,
        to_steps.step_number as to_step,
        {{ seconds_between('from_steps.reached_at', 'to_steps.reached_at') }} as seconds
    from user_steps as from_steps
    inner join user_steps as to_steps
        on
            from_steps.funnel_id = to_steps.funnel_id
            and from_steps.user_key = to_steps.user_key
            and from_steps.step_number < to_steps.step_number
),

binned as (
    select
        funnel_id,
        from_step,
        to_step,
        grain,
        case
            {%- for edge in edges | reverse %}
            when seconds >= {{ edge }} then {{ edge }}
            {%- endfor %}
        end as bin_start_s
    from (
        select
            *,
            'session' as grain
        from session_pairs
        union all
        select
            *,
            'user' as grain
        from user_pairs
    ) as pairs
),

counted as (
    select
        funnel_id,
        from_step,
        to_step,
        bin_start_s,
        count(case when grain = 'user' then 1 end) as users,
        count(case when grain = 'session' then 1 end) as sessions
    from binned
    group by funnel_id, from_step, to_step, bin_start_s
),

final as (
    select
        funnel_id,
        from_step,
        to_step,
        bin_start_s,
        case
            {%- for edge in edges[:-1] %}
            when bin_start_s = {{ edge }} then {{ edges[loop.index] }}
            {%- endfor %}
        end as bin_end_s,
        users,
        sessions
    from counted
)

select * from final
