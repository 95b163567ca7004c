-- Snowplow atomic events (raw.snowplow_events: the 131 enriched-event fields, from the enriched TSV or a warehouse
-- export; warehouse-only columns such as BigQuery's contexts_* in _extra) mapped to the canonical event columns, as
-- text, for the shared validation in stg_raw__events. Mapping: PRODUCT.md "Sources" and _stg_snowplow__models.yml.
-- A table: the JSON parsing runs once per build, not once per reader of the stg_raw__events view.
{{ config(enabled=('snowplow' in var('microconv_sources'))) }}

{%- set ecommerce_action_column =
    'unstruct_event_com_snowplowanalytics_snowplow_ecommerce_snowplow_ecommerce_action_1_0_0' %}
{%- set ecommerce_transaction_column = 'contexts_com_snowplowanalytics_snowplow_ecommerce_transaction_1_0_0' %}
{%- set client_session_column = 'contexts_com_snowplowanalytics_snowplow_client_session_1_0_1' %}
{%- set kept = [
    'app_id', 'platform', 'event', 'event_vendor', 'event_name', 'event_format', 'event_version', 'collector_tstamp',
    'dvce_created_tstamp', 'etl_tstamp', 'domain_sessionidx', 'network_userid', 'se_category', 'se_action',
    'se_label', 'se_property', 'se_value', 'refr_medium', 'refr_source', 'refr_term', 'mkt_term', 'mkt_content',
    'mkt_clickid', 'mkt_network', 'geo_region', 'geo_city', 'tr_affiliation', 'tr_tax', 'tr_shipping', 'tr_currency',
    'ti_orderid', 'ti_sku', 'ti_name', 'ti_category', 'ti_price', 'ti_quantity', 'pp_xoffset_min', 'pp_xoffset_max',
    'pp_yoffset_min', 'pp_yoffset_max', 'useragent', 'br_family', 'os_family', 'dvce_type', 'dvce_ismobile',
] %}
{%- set property_pairs = [] %}
{%- for column in kept %}{% do property_pairs.append([column, 'named.' ~ column]) %}{% endfor %}
{%- for column in ['contexts', 'derived_contexts', 'unstruct_event', '_extra'] %}
{%- do property_pairs.append([column, json_value_of('named.' ~ column)]) %}
{%- endfor %}

with

source as (
    select * from {{ source('snowplow', 'events') }}
),

event_names as (
    select * from {{ ref('source_event_names') }}
    where source = 'snowplow'
),

extracted as (
    select
        *,
        -- Snowplow e-commerce plugin: the action type from the unstruct event (enriched TSV, Snowflake, Redshift JSON)
        -- or from BigQuery's own column (kept in _extra by the loader, its value JSON text).
        coalesce(
            {{ json_text('unstruct_event', '$.data.data.type') }},
            {{ json_text(json_text('_extra', '$.' ~ ecommerce_action_column), '$.type') }}
        ) as ecommerce_action,
        coalesce(
            {{ snowplow_context_text('contexts', '%.ecommerce/transaction/%', 'revenue') }},
            {{ json_text(json_text('_extra', '$.' ~ ecommerce_transaction_column), '$[0].revenue') }}
        ) as ecommerce_revenue,
        coalesce(
            {{ snowplow_context_text('contexts', '%.ecommerce/transaction/%', 'transaction_id') }},
            {{ json_text(json_text('_extra', '$.' ~ ecommerce_transaction_column), '$[0].transaction_id') }}
        ) as ecommerce_transaction_id,
        -- Mobile trackers have no domain_* ids: the client_session entity carries the session and the device user.
        coalesce(
            {{ snowplow_context_text('contexts', '%/client_session/%', 'sessionId') }},
            {{ json_text(json_text('_extra', '$.' ~ client_session_column), '$[0].session_id') }}
        ) as client_session_id,
        coalesce(
            {{ snowplow_context_text('contexts', '%/client_session/%', 'userId') }},
            {{ json_text(json_text('_extra', '$.' ~ client_session_column), '$[0].user_id') }}
        ) as client_user_id
    from source
),

named as (
    select
        *,
        -- Structured events are named by their action; self-describing ones by their schema name, the e-commerce
        -- plugin's by its action type; the legacy `transaction` event is an order.
        case
            when event = 'struct' then coalesce(se_action, se_category, event)
            when event_name = 'snowplow_ecommerce_action' and ecommerce_action is not null then ecommerce_action
            else coalesce(event_name, event)
        end as source_event_name
    from extracted
),

mapped as (
    select
        named.event_id,
        coalesce(event_names.event_name, {{ snake_case('named.source_event_name') }}) as event_name,
        coalesce(named.derived_tstamp, named.collector_tstamp) as event_ts,
        coalesce(named.domain_userid, named.client_user_id, named.network_userid) as anonymous_id,
        named.user_id,
        named.page_url,
        named.page_urlpath as page_path,
        named.page_title,
        -- Snowplow classifies the referrer: an internal one is navigation on the site, not a traffic source.
        case when named.refr_medium = 'internal' then null else named.page_referrer end as referrer,
        named.mkt_source as utm_source,
        named.mkt_medium as utm_medium,
        named.mkt_campaign as utm_campaign,
        case
            when lower(named.dvce_type) = 'tablet' then 'tablet'
            when named.dvce_ismobile in ('1', 'true') or lower(named.dvce_type) = 'mobile' then 'mobile'
            when lower(named.dvce_type) = 'computer' then 'desktop'
            when named.platform = 'mob' then 'mobile'
        end as device_category,
        named.geo_country as country,
        case
            when named.event = 'transaction' then named.tr_total
            when named.ecommerce_action = 'transaction' then named.ecommerce_revenue
        end as revenue,
        case
            when named.event = 'transaction' then named.tr_orderid
            when named.ecommerce_action = 'transaction' then named.ecommerce_transaction_id
        end as order_id,
        {{ json_object_text(property_pairs) }} as properties,
        coalesce(named.domain_sessionid, named.client_session_id) as session_id,
        named._load_id,
        named._source_file,
        named._source_row,
        named._loaded_at
    from named
    left join event_names on named.source_event_name = event_names.source_event_name
)

select * from mapped
