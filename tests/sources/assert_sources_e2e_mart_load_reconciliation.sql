-- End-to-end check of the source fixtures (tests_py/fixtures/sources: a GA4 NDJSON export, Segment messages and
-- warehouse tables, a Snowplow enriched TSV, loaded in that order; see `make dbt-test`): mart_load_reconciliation equals
-- tests_py/fixtures/sources/expected/mart_load_reconciliation.csv. Enabled only with --vars '{e2e_sources: true}'.
{{ config(enabled=var('e2e_sources', false) | as_bool, tags=['e2e']) }}

{{ test_equals_expected_csv(
    ref('mart_load_reconciliation'),
    'tests_py/fixtures/sources/expected/mart_load_reconciliation.csv',
    ['load_id', 'raw_rows', 'staged_events', 'duplicates_removed', 'rejected_rows', 'is_reconciled']
) }}
