-- End-to-end check of the source fixtures (tests_py/fixtures/sources: a GA4 NDJSON export, Segment messages and
-- warehouse tables, a Snowplow enriched TSV, loaded in that order; see `make dbt-test`): fct_sessions equals
-- tests_py/fixtures/sources/expected/fct_sessions.csv. Enabled only with --vars '{e2e_sources: true}'.
{{ config(enabled=var('e2e_sources', false) | as_bool, tags=['e2e']) }}

{{ test_equals_expected_csv(
    ref('fct_sessions'),
    'tests_py/fixtures/sources/expected/fct_sessions.csv',
    ['visitor_id', 'user_key', 'started_at', 'ended_at', 'duration_s', 'events', 'pageviews', 'landing_page_path', 'exit_page_path', 'utm_source', 'utm_medium', 'channel', 'device_category', 'is_engaged', 'macro_conversions', 'micro_conversions', 'revenue']
) }}
