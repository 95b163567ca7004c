"""Readers for the exports teams already have: GA4 BigQuery export, Segment, Snowplow.

Each source lands its files, in the export's own shape, in its own raw table(s) (see `specs`); the
mapping to the canonical columns is dbt staging SQL (models/staging/ga4|segment|snowplow).
`loader.load_source_file` loads one file with the canonical loader's rules (content-hash
idempotence in the shared raw.load_log, one transaction per file, _load_id / _source_file /
_source_row / _loaded_at).
"""
