-- GA4 BigQuery export rows (raw.ga4_events, nested values as JSON text) mapped to the canonical event
-- columns, as text, for the shared validation in stg_raw__events. Mapping: PRODUCT.md "Sources" and
-- _stg_ga4__models.yml; everything else of the row is kept in `properties`.
-- A table: the JSON parsing runs once per build, not once per reader of the stg_raw__events view.
{{ config(enabled=('ga4' in var('microconv_sources'))) }}

{%- set nested = [
    'event_params', 'privacy_info', 'user_properties', 'user_ltv', 'device', 'geo', 'app_info', 'traffic_source',
    'event_dimensions', 'ecommerce', 'items', 'collected_traffic_source', 'session_traffic_source_last_click',
    'publisher', '_extra',
] %}
{%- set scalars = [
    'event_date', 'event_timestamp', 'event_previous_timestamp', 'event_value_in_usd', 'event_bundle_sequence_id',
    'event_server_timestamp_offset', 'user_first_touch_timestamp', 'stream_id', 'platform', 'is_active_user',
    'batch_event_index', 'batch_page_id', 'batch_ordering_id',
] %}
{#- properties: everything of the row beyond the canonical columns (scalars as text, nested values as JSON). #}
{%- set property_pairs = [['ga_session_id', 'param_ga_session_id'], ['ga_session_number', 'param_ga_session_number']] %}
{%- for column in scalars if column != 'event_timestamp' %}{% do property_pairs.append([column, column]) %}{% endfor %}
{%- for column in nested %}{% do property_pairs.append([column, json_value_of(column)]) %}{% endfor %}

with

source as (
    select * from {{ source('ga4', 'events') }}
),

parsed as (
    select
        *,
        {{ ga4_event_params('event_params') }} as params
    from source
),

extracted as (
    select
        *,
        {{ ga4_event_param('params', 'ga_session_id') }} as param_ga_session_id,
        {{ ga4_event_param('params', 'ga_session_number') }} as param_ga_session_number,
        {{ ga4_event_param('params', 'page_location') }} as param_page_location,
        {{ ga4_event_param('params', 'page_title') }} as param_page_title,
        {{ ga4_event_param('params', 'page_referrer') }} as param_page_referrer,
        {{ ga4_event_param('params', 'source') }} as param_source,
        {{ ga4_event_param('params', 'medium') }} as param_medium,
        {{ ga4_event_param('params', 'campaign') }} as param_campaign,
        {{ ga4_event_param('params', 'value') }} as param_value,
        {{ json_text('collected_traffic_source', '$.manual_source') }} as collected_source,
        {{ json_text('collected_traffic_source', '$.manual_medium') }} as collected_medium,
        {{ json_text('collected_traffic_source', '$.manual_campaign_name') }} as collected_campaign,
        {{ json_text('traffic_source', '$.source') }} as first_touch_source,
        {{ json_text('traffic_source', '$.medium') }} as first_touch_medium,
        {{ json_text('traffic_source', '$.name') }} as first_touch_campaign,
        {{ json_text('ecommerce', '$.purchase_revenue') }} as purchase_revenue,
        {{ json_text('ecommerce', '$.transaction_id') }} as transaction_id,
        {{ json_text('device', '$.category') }} as device_category,
        {{ json_text('geo', '$.country') }} as country
    from parsed
),

mapped as (
    select
        -- GA4 rows have no event id: a hash of the whole exported row, so an exact duplicate row collapses.
        {{ row_hash(['event_name', 'user_id', 'user_pseudo_id'] + scalars + nested) }} as event_id,
        event_name,
        {{ epoch_micros_text('event_timestamp') }} as event_ts,
        user_pseudo_id as anonymous_id,
        user_id,
        param_page_location as page_url,
        cast(null as {{ dbt.type_string() }}) as page_path,
        param_page_title as page_title,
        param_page_referrer as referrer,
        -- Event-level campaign params, else the collected (manual) traffic source; the user's first-touch
        -- traffic_source only in the user's first session (ga_session_number 1), where it is that session's.
        coalesce(
            param_source, collected_source, case when param_ga_session_number = '1' then first_touch_source end
        ) as utm_source,
        coalesce(
            param_medium, collected_medium, case when param_ga_session_number = '1' then first_touch_medium end
        ) as utm_medium,
        coalesce(
            param_campaign, collected_campaign, case when param_ga_session_number = '1' then first_touch_campaign end
        ) as utm_campaign,
        device_category,
        country,
        -- The `value` param is an order value only on purchases (on view_item, add_to_cart... it is the items' value).
        coalesce(purchase_revenue, case when event_name = 'purchase' then param_value end) as revenue,
        transaction_id as order_id,
        {{ json_object_text(property_pairs) }} as properties,
        case
            when param_ga_session_id is not null
                then {{ dbt.concat(['coalesce(user_pseudo_id, user_id)', "'.'", 'param_ga_session_id']) }}
        end as session_id,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from extracted
)

select * from mapped
