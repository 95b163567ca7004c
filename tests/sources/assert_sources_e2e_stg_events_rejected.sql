-- End-to-end check of the source fixtures (tests_py/fixtures/sources: a GA4 NDJSON export, Segment messages and
-- warehouse tables, a Snowplow enriched TSV, loaded in that order; see `make dbt-test`): stg_events_rejected equals
-- tests_py/fixtures/sources/expected/stg_events_rejected.csv. Enabled only with --vars '{e2e_sources: true}'.
{{ config(enabled=var('e2e_sources', false) | as_bool, tags=['e2e']) }}

{{ test_equals_expected_csv(
    ref('stg_events_rejected'),
    'tests_py/fixtures/sources/expected/stg_events_rejected.csv',
    ['reject_reason', 'event_id', '_load_id', '_source_row']
) }}
