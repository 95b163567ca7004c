{#
    Statistics helpers in plain, portable SQL (no engine-specific functions).
#}

{#
    Standard normal CDF Phi(z), from erf's Abramowitz & Stegun 7.1.26 approximation (|error| < 1.5e-7):
    Phi(z) = 0.5 * (1 + sign(z) * (1 - poly(t) * exp(-z^2 / 2))), t = 1 / (1 + 0.3275911 * |z| / sqrt(2)),
    poly(t) = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))).

    poly needs t five times, so in a model compute it in steps, each term once: z as a column, then
    t = normal_cdf_term(z) as a column in the next CTE, then normal_cdf_from_term(z, t) (or, for p-values,
    two_proportion_p_value_from_z). normal_cdf(z) does it in one expression (t repeated), for literals and
    short column names; its value is the same, bit for bit.
#}
{% macro normal_cdf_term(z) -%}
    (1 / (1 + 0.3275911 * abs({{ z }}) / sqrt(2)))
{%- endmacro %}

{% macro normal_cdf_from_term(z, t) -%}
    (0.5 * (1 + sign({{ z }}) * (1 - (
        (((((1.061405429 * {{ t }} - 1.453152027) * {{ t }} + 1.421413741) * {{ t }}
        - 0.284496736) * {{ t }} + 0.254829592) * {{ t }})
        * exp(-({{ z }}) * ({{ z }}) / 2)
    ))))
{%- endmacro %}

{% macro normal_cdf(z) -%}
    {{ normal_cdf_from_term(z, normal_cdf_term(z)) }}
{%- endmacro %}

{#
    Two-sided p-value of the pooled two-proportion z-test of x1/n1 vs x2/n2.
    Null when a group is empty; 1 when both groups are all successes or all failures (no variance).
    One expression: the z term is repeated (about 3 KB of SQL per call); in a model prefer the steps
    two_proportion_z_score -> normal_cdf_term -> two_proportion_p_value_from_z (same value, bit for bit).
#}
{% macro two_proportion_p_value(x1, n1, x2, n2) -%}
    case
        when ({{ n1 }}) = 0 or ({{ n2 }}) = 0 then null
        when ({{ x1 }}) + ({{ x2 }}) = 0 or ({{ x1 }}) + ({{ x2 }}) = ({{ n1 }}) + ({{ n2 }}) then 1.0
        else 2 * (1 - {{ normal_cdf(two_proportion_z(x1, n1, x2, n2)) }})
    end
{%- endmacro %}

{# |z| of the pooled two-proportion test (helper of two_proportion_p_value; no guard against empty groups). #}
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
    The pooled two-proportion p-value in three steps, each term computed once (one CTE each):
        {{ two_proportion_z_score('x1', 'n1', 'x2', 'n2') }} as z_score      -- |z|; null where the p-value is null or 1
        {{ normal_cdf_term('z_score') }} as z_term
        {{ two_proportion_p_value_from_z('z_score', 'z_term', 'x1', 'n1', 'x2', 'n2') }} as p_value
    Same value as two_proportion_p_value(x1, n1, x2, n2), bit for bit: null when a group is empty, 1 when
    both groups are all successes or all failures. The guard keeps the division by zero out of z_score.
#}
{% macro two_proportion_z_score(x1, n1, x2, n2) -%}
    case
        when ({{ n1 }}) != 0 and ({{ n2 }}) != 0
            and ({{ x1 }}) + ({{ x2 }}) != 0 and ({{ x1 }}) + ({{ x2 }}) != ({{ n1 }}) + ({{ n2 }})
            then {{ two_proportion_z(x1, n1, x2, n2) }}
    end
{%- endmacro %}

{% macro two_proportion_p_value_from_z(z, t, x1, n1, x2, n2) -%}
    case
        when ({{ n1 }}) = 0 or ({{ n2 }}) = 0 then null
        when ({{ x1 }}) + ({{ x2 }}) = 0 or ({{ x1 }}) + ({{ x2 }}) = ({{ n1 }}) + ({{ n2 }}) then 1.0
        else 2 * (1 - {{ normal_cdf_from_term(z, t) }})
    end
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
