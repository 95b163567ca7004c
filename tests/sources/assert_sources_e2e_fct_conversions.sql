-- End-to-end check of the source fixtures (tests_py/fixtures/sources: a GA4 NDJSON export, Segment messages and
-- warehouse tables, a Snowplow enriched TSV, loaded in that order; see `make dbt-test`): fct_conversions equals
-- tests_py/fixtures/sources/expected/fct_conversions.csv. Enabled only with --vars '{e2e_sources: true}'.
{{ config(enabled=var('e2e_sources', false) | as_bool, tags=['e2e']) }}

{{ test_equals_expected_csv(
    '(select * from ' ~ ref('fct_conversions') ~ ' where event_id is not null)',
    'tests_py/fixtures/sources/expected/fct_conversions.csv',
    ['goal_id', 'event_id', 'converted_at', 'page_path', 'value']
) }}
