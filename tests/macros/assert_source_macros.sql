-- Known values of the macros the source staging models use (macros/engine/json_text.sql, json_object_text.sql,
-- snake_case.sql, epoch_micros_text.sql, ga4_event_params.sql, snowplow_entity_text.sql, macros/row_hash.sql):
-- every engine's implementation must give these results. Each case compares text; returns failures.
with

samples as (
    select
        '{"device": {"category": "mobile"}, "n": 12.50, "s": "12", "a": [1, 2], "z": null}' as record_json,
        '1611841493454756' as micros_text,
        'x1611841493' as bad_micros_text,
        'Product List Viewed!' as event_text,
        '[{"key": "s", "value": {"string_value": "text"}}, {"key": "i", "value": {"int_value": "42"}},'
        || ' {"key": "n", "value": {"int_value": 7}}, {"key": "f", "value": {"float_value": 0.5}},'
        || ' {"key": "d", "value": {"double_value": 2.25}}]' as params_json,
        '{"schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0", "data": ['
        || '{"schema": "iglu:com.acme/other/jsonschema/1-0-0", "data": {"id": "no"}},'
        || ' {"schema": "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-1",'
        || ' "data": {"sessionId": "s-1"}}]}' as contexts_json,
        '[1, {"x": 2}]' as array_json,
        'a' as value_a,
        cast(null as {{ dbt.type_string() }}) as value_null
),

parsed as (
    select
        *,
        {{ ga4_event_params('params_json') }} as params
    from samples
),

cases as (
    select
        'json_text nested' as case_name,
        {{ json_text('record_json', '$.device.category') }} as actual,
        'mobile' as expected
    from parsed
    union all
    select
        'json_text number' as case_name,
        {{ json_text('record_json', '$.n') }} as actual,
        '12.5' as expected
    from parsed
    union all
    select
        'json_text string' as case_name,
        {{ json_text('record_json', '$.s') }} as actual,
        '12' as expected
    from parsed
    union all
    select
        'json_text array is json' as case_name,
        {{ json_text('record_json', '$.a') }} as actual,
        '[1,2]' as expected
    from parsed
    union all
    select
        'json_text json null is null' as case_name,
        coalesce({{ json_text('record_json', '$.z') }}, '(null)') as actual,
        '(null)' as expected
    from parsed
    union all
    select
        'json_text missing path is null' as case_name,
        coalesce({{ json_text('record_json', '$.q') }}, '(null)') as actual,
        '(null)' as expected
    from parsed
    union all
    select
        'json_object_text' as case_name,
        {{ json_object_text([['a', 'value_a'], ['n', 'value_null'], ['j', json_value_of('array_json')]]) }} as actual,
        '{"a":"a","n":null,"j":[1,{"x":2}]}' as expected
    from parsed
    union all
    select
        'snake_case' as case_name,
        {{ snake_case('event_text') }} as actual,
        'product_list_viewed' as expected
    from parsed
    union all
    select
        'epoch_micros_text' as case_name,
        {{ epoch_micros_text('micros_text') }} as actual,
        '2021-01-28 13:44:53.454756' as expected
    from parsed
    union all
    select
        'epoch_micros_text not an integer' as case_name,
        coalesce({{ epoch_micros_text('bad_micros_text') }}, '(null)') as actual,
        '(null)' as expected
    from parsed
    union all
    select
        'ga4_event_param every value type' as case_name,
        concat_ws(
            ',',
            {{ ga4_event_param('params', 's') }},
            {{ ga4_event_param('params', 'i') }},
            {{ ga4_event_param('params', 'n') }},
            {{ ga4_event_param('params', 'f') }},
            {{ ga4_event_param('params', 'd') }},
            coalesce({{ ga4_event_param('params', 'missing') }}, '(null)')
        ) as actual,
        'text,42,7,0.5,2.25,(null)' as expected
    from parsed
    union all
    select
        'snowplow_context_text' as case_name,
        {{ snowplow_context_text('contexts_json', '%/client_session/%', 'sessionId') }} as actual,
        's-1' as expected
    from parsed
    union all
    select
        'row_hash' as case_name,
        {{ row_hash(['value_a', 'value_null']) }} as actual,
        -- md5('1:a|-')
        '1c50574969e9da44f17b6b68398a211b' as expected
    from parsed
),

final as (
    select *
    from cases
    where actual is distinct from expected
)

select * from final
