{#
    An optional seed column: the column itself when the seed table has it, else `default` (SQL text).
    Seeds built from a CSV without the column simply lack it (dbt creates one column per CSV header), so the
    config models read optional columns through this macro: a seed without them behaves exactly as before.
    Decided when the model runs (adapter.get_columns_in_relation); at parse time the default is used.
    `qualifier` prefixes the column (a table alias) when it is present.
    Tested by tests_py/test_config_validation.py (a seed without the optional columns still builds).
#}
{% macro funnel_optional_column(relation, column, default, qualifier=none) -%}
    {%- set ns = namespace(present=false) -%}
    {%- if execute -%}
        {%- for existing in adapter.get_columns_in_relation(relation) -%}
            {%- if existing.name | lower == column | lower -%}
                {%- set ns.present = true -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if ns.present -%}{{ qualifier ~ '.' if qualifier }}{{ column }}{%- else -%}{{ default }}{%- endif -%}
{%- endmacro %}
