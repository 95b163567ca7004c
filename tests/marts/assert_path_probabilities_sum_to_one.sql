-- mart_path_transitions: the probabilities out of every from_step sum to 1 (returns the steps that do not).
with

transitions as (
    select * from {{ ref('mart_path_transitions') }}
),

totals as (
    select
        from_step,
        sum(probability) as total_probability
    from transitions
    group by from_step
),

failures as (
    select *
    from totals
    where abs(total_probability - 1) > 1e-9
)

select * from failures
