{#
    For every distinct (key, instant) of `rows`, the next instant after it among `instants` of the same key:
    the smallest instant strictly later (instants equal to it are not "next"); null when there is none. Returns
    the columns <rows_key>, <rows_at> and next_instant_at. `instants` has the columns <instants_key> and
    <instants_at> (duplicates allowed); every row's instant must be one of its key's instants (a completion is
    an event of its session and user), which the engines without an ASOF join rely on.
    Used by int_funnel_completions__next_instants (strict funnels); tested by tests/macros/assert_next_instants.sql.
#}
{% macro next_instants_after(rows, rows_key, rows_at, instants, instants_key, instants_at) -%}
    {{ return(adapter.dispatch('next_instants_after', 'microconv')(
        rows, rows_key, rows_at, instants, instants_key, instants_at
    )) }}
{%- endmacro %}

{#- DuckDB: an ASOF join, one sort of the instants; no group-by over them and no window. -#}
{% macro duckdb__next_instants_after(rows, rows_key, rows_at, instants, instants_key, instants_at) -%}
    select
        unit_rows.{{ rows_key }},
        unit_rows.{{ rows_at }},
        unit_instants.{{ instants_at }} as next_instant_at
    from (select distinct {{ rows_key }}, {{ rows_at }} from {{ rows }}) as unit_rows
    asof left join {{ instants }} as unit_instants
        on
            unit_rows.{{ rows_key }} = unit_instants.{{ instants_key }}
            and unit_rows.{{ rows_at }} < unit_instants.{{ instants_at }}
{%- endmacro %}

{#- Other engines (Spark has no ASOF join): the distinct instants of each key, each with the next one by
    `lead`, joined to the rows on their instant. -#}
{% macro default__next_instants_after(rows, rows_key, rows_at, instants, instants_key, instants_at) -%}
    select
        unit_rows.{{ rows_key }},
        unit_rows.{{ rows_at }},
        unit_instants.next_instant_at
    from (select distinct {{ rows_key }}, {{ rows_at }} from {{ rows }}) as unit_rows
    left join (
        select
            {{ instants_key }},
            {{ instants_at }},
            lead({{ instants_at }}) over (
                partition by {{ instants_key }} order by {{ instants_at }}
            ) as next_instant_at
        from (
            select
                {{ instants_key }},
                {{ instants_at }}
            from {{ instants }}
            group by {{ instants_key }}, {{ instants_at }}
        ) as distinct_instants
    ) as unit_instants
        on
            unit_rows.{{ rows_key }} = unit_instants.{{ instants_key }}
            and unit_rows.{{ rows_at }} = unit_instants.{{ instants_at }}
{%- endmacro %}
