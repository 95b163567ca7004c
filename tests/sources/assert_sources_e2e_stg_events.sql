-- End-to-end check of the source fixtures (tests_py/fixtures/sources: a GA4 NDJSON export, Segment messages and
-- warehouse tables, a Snowplow enriched TSV, loaded in that order; see `make dbt-test`): stg_events equals
-- tests_py/fixtures/sources/expected/stg_events.csv. Enabled only with --vars '{e2e_sources: true}'.
{{ config(enabled=var('e2e_sources', false) | as_bool, tags=['e2e']) }}

{{ test_equals_expected_csv(
    ref('stg_events'),
    'tests_py/fixtures/sources/expected/stg_events.csv',
    ['event_id', 'event_name', 'event_ts', 'anonymous_id', 'user_id', 'page_path', 'utm_source', 'utm_medium', 'utm_campaign', 'referrer', 'device_category', 'country', 'revenue', 'order_id', 'tracker_session_id', '_load_id', '_source_row']
) }}
