{#
    End-to-end check (Snowplow style): the model's `columns`, as text, equal the rows of an expected-output
    CSV (header = column names, all compared as text; empty cell = null). Counts duplicates: rows missing
    on either side are returned with `side` = 'missing_in_model' or 'unexpected_in_model'.
    Enabled only for the end-to-end fixture build (`--vars '{e2e: true}'`, see `make test`).
#}
{% test equals_expected_csv(model, expected_csv, columns) %}

with

actual as (
    select
        {% for column in columns -%}
            cast({{ column }} as {{ dbt.type_string() }}) as {{ column }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ model }}
),

expected as (
    select
        {% for column in columns -%}
            cast({{ column }} as {{ dbt.type_string() }}) as {{ column }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ read_csv_as_text(expected_csv) }}
),

missing_in_model as (
    select * from expected
    except all
    select * from actual
),

unexpected_in_model as (
    select * from actual
    except all
    select * from expected
),

final as (
    select
        'missing_in_model' as side,
        *
    from missing_in_model
    union all
    select
        'unexpected_in_model' as side,
        *
    from unexpected_in_model
)

select * from final

{% endtest %}
