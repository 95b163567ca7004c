-- Known Benjamini-Hochberg q-values (R: p.adjust(p, method = "BH")); returns failing cases.
-- p = 0.005, 0.01, 0.03, 0.04, 0.04, 0.2 -> q = 0.03, 0.03, 0.048, 0.048, 0.048, 0.2 (ties share a q-value,
-- and the running minimum from the largest p down makes 0.03 -> 0.048, not 0.06). Input order is shuffled.
with

p_values as (
    select
        'a' as test_name,
        0.04 as p_value,
        0.048 as expected_q_value
    union all
    select
        'b' as test_name,
        0.2 as p_value,
        0.2 as expected_q_value
    union all
    select
        'c' as test_name,
        0.005 as p_value,
        0.03 as expected_q_value
    union all
    select
        'd' as test_name,
        0.03 as p_value,
        0.048 as expected_q_value
    union all
    select
        'e' as test_name,
        0.04 as p_value,
        0.048 as expected_q_value
    union all
    select
        'f' as test_name,
        0.01 as p_value,
        0.03 as expected_q_value
),

ranked as (
    select
        *,
        count(*) over () as tests,
        row_number() over (order by p_value, test_name) as p_rank
    from p_values
),

adjusted as (
    select
        *,
        {{ bh_q_value('p_value', 'p_rank', 'tests') }} as q_value
    from ranked
),

failures as (
    select *
    from adjusted
    where abs(q_value - expected_q_value) > 1e-12
)

select * from failures
