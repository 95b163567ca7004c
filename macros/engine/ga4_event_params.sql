{#
    GA4 event_params (JSON text of [{key, value: {string_value, int_value, float_value, double_value}}],
    int64 as JSON strings or numbers) parsed once into a list, then one parameter's value as text:
    the string value, else the int, else the double, else the float. A missing key gives null.
#}
{% macro ga4_event_params(params_json) %}{{ return(adapter.dispatch('ga4_event_params', 'microconv')(params_json)) }}{% endmacro %}

{% macro duckdb__ga4_event_params(params_json) -%}
    from_json(
        {{ params_json }},
        '[{"key": "VARCHAR", "value": {"string_value": "VARCHAR", "int_value": "VARCHAR", "float_value": "VARCHAR", "double_value": "VARCHAR"}}]'
    )
{%- endmacro %}

{% macro ga4_event_param(params, key) %}{{ return(adapter.dispatch('ga4_event_param', 'microconv')(params, key)) }}{% endmacro %}

{% macro duckdb__ga4_event_param(params, key) -%}
    list_transform(
        list_filter({{ params }}, lambda param: param.key = '{{ key }}'),
        lambda param: coalesce(
            param.value.string_value, param.value.int_value, param.value.double_value, param.value.float_value
        )
    )[1]
{%- endmacro %}

{% macro spark__ga4_event_params(params_json) -%}
    from_json(
        {{ params_json }},
        'array<struct<key: string, value: struct<string_value: string, int_value: string, float_value: string, double_value: string>>>'
    )
{%- endmacro %}

{% macro spark__ga4_event_param(params, key) -%}
    try_element_at(
        transform(
            filter({{ params }}, param -> param.key = '{{ key }}'),
            param -> coalesce(
                param.value.string_value, param.value.int_value, param.value.double_value, param.value.float_value
            )
        ),
        1
    )
{%- endmacro %}
