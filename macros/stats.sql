{#
    Statistics helpers in plain, portable SQL (no engine-specific functions).
#}

{#
    Standard normal CDF Phi(z), from erf's Abramowitz & Stegun 7.1.26 approximation (|error| < 1.5e-7).
    Phi(z) = 0.5 * (1 + erf(z / sqrt(2))), with erf(-x) = -erf(x).
#}
{% macro normal_cdf(z) -%}
    (0.5 * (1 + sign({{ z }}) * (1 - (
        (((((1.061405429 * (1 / (1 + 0.3275911 * abs({{ z }}) / sqrt(2)))
        - 1.453152027) * (1 / (1 + 0.3275911 * abs({{ z }}) / sqrt(2)))
        + 1.421413741) * (1 / (1 + 0.3275911 * abs({{ z }}) / sqrt(2)))
        - 0.284496736) * (1 / (1 + 0.3275911 * abs({{ z }}) / sqrt(2)))
        + 0.254829592) * (1 / (1 + 0.3275911 * abs({{ z }}) / sqrt(2))))
        * exp(-({{ z }}) * ({{ z }}) / 2)
    ))))
{%- endmacro %}

{#
    Two-sided p-value of the pooled two-proportion z-test of x1/n1 vs x2/n2.
    Null when a group is empty; 1 when both groups are all successes or all failures (no variance).
#}
{% macro two_proportion_p_value(x1, n1, x2, n2) -%}
    case
        when ({{ n1 }}) = 0 or ({{ n2 }}) = 0 then null
        when ({{ x1 }}) + ({{ x2 }}) = 0 or ({{ x1 }}) + ({{ x2 }}) = ({{ n1 }}) + ({{ n2 }}) then 1.0
        else 2 * (1 - {{ normal_cdf(two_proportion_z(x1, n1, x2, n2)) }})
    end
{%- endmacro %}

{# |z| of the pooled two-proportion test (helper of two_proportion_p_value). #}
{% macro two_proportion_z(x1, n1, x2, n2) -%}
    abs(
        (cast({{ x1 }} as double) / ({{ n1 }}) - cast({{ x2 }} as double) / ({{ n2 }}))
        / sqrt(
            (cast(({{ x1 }}) + ({{ x2 }}) as double) / (({{ n1 }}) + ({{ n2 }})))
            * (1 - cast(({{ x1 }}) + ({{ x2 }}) as double) / (({{ n1 }}) + ({{ n2 }})))
            * (1.0 / ({{ n1 }}) + 1.0 / ({{ n2 }}))
        )
    )
{%- endmacro %}

{#
    Wilson score interval of the proportion x/n at 95% (z = 1.959963984540054); null when n = 0.
    lower/upper = (p + z^2/(2n) -/+ z * sqrt(p(1-p)/n + z^2/(4n^2))) / (1 + z^2/n), with p = x/n.
#}
{% macro wilson_lower(x, n) -%}
    case
        when ({{ n }}) > 0 then (
            cast({{ x }} as double) / ({{ n }}) + 3.841458820694124 / (2.0 * ({{ n }}))
            - 1.959963984540054 * sqrt(
                (cast({{ x }} as double) / ({{ n }})) * (1 - cast({{ x }} as double) / ({{ n }})) / ({{ n }})
                + 3.841458820694124 / (4.0 * ({{ n }}) * ({{ n }}))
            )
        ) / (1 + 3.841458820694124 / ({{ n }}))
    end
{%- endmacro %}

{% macro wilson_upper(x, n) -%}
    case
        when ({{ n }}) > 0 then (
            cast({{ x }} as double) / ({{ n }}) + 3.841458820694124 / (2.0 * ({{ n }}))
            + 1.959963984540054 * sqrt(
                (cast({{ x }} as double) / ({{ n }})) * (1 - cast({{ x }} as double) / ({{ n }})) / ({{ n }})
                + 3.841458820694124 / (4.0 * ({{ n }}) * ({{ n }}))
            )
        ) / (1 + 3.841458820694124 / ({{ n }}))
    end
{%- endmacro %}

{#
    95% confidence interval of the difference p1 - p2 (p1 = x1/n1, p2 = x2/n2), Newcombe's hybrid score
    method (Newcombe 1998, method 10) from the two Wilson intervals (l1, u1) and (l2, u2):
    lower = (p1 - p2) - sqrt((p1 - l1)^2 + (u2 - p2)^2), upper = (p1 - p2) + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    Null when a group is empty. Stays within [-1, 1] and is sensible for 0% and 100% rates.
#}
{% macro newcombe_diff_lower(x1, n1, x2, n2) -%}
    case
        when ({{ n1 }}) > 0 and ({{ n2 }}) > 0 then
            (cast({{ x1 }} as double) / ({{ n1 }}) - cast({{ x2 }} as double) / ({{ n2 }}))
            - sqrt(
                power(cast({{ x1 }} as double) / ({{ n1 }}) - {{ wilson_lower(x1, n1) }}, 2)
                + power({{ wilson_upper(x2, n2) }} - cast({{ x2 }} as double) / ({{ n2 }}), 2)
            )
    end
{%- endmacro %}

{% macro newcombe_diff_upper(x1, n1, x2, n2) -%}
    case
        when ({{ n1 }}) > 0 and ({{ n2 }}) > 0 then
            (cast({{ x1 }} as double) / ({{ n1 }}) - cast({{ x2 }} as double) / ({{ n2 }}))
            + sqrt(
                power({{ wilson_upper(x1, n1) }} - cast({{ x1 }} as double) / ({{ n1 }}), 2)
                + power(cast({{ x2 }} as double) / ({{ n2 }}) - {{ wilson_lower(x2, n2) }}, 2)
            )
    end
{%- endmacro %}

{#
    Benjamini-Hochberg adjusted p-value (q-value) of each test in a family of `tests` tests:
    q_i = min over j >= i of (p_j * m / j), capped at 1, where i is the test's 1-based rank by ascending
    p-value (`p_rank`, e.g. row_number() over (order by p_value, <tie-breaking keys>)) and m = `tests`
    (e.g. count(*) over ()). Ties get equal q-values whatever their tie-break order. A test is a
    discovery at false discovery rate alpha when q <= alpha. Needs the rank from an earlier CTE
    (window functions cannot nest). `partition_by` (optional) runs one family per partition.
#}
{% macro bh_q_value(p_value, p_rank, tests, partition_by=none) -%}
    least(
        1.0,
        min(cast({{ p_value }} as double) * ({{ tests }}) / ({{ p_rank }})) over (
            {% if partition_by %}partition by {{ partition_by }} {% endif -%}
            order by {{ p_rank }} desc rows between unbounded preceding and current row
        )
    )
{%- endmacro %}
