-- One row per loaded file, as the loader recorded it in raw.load_log.
{{ config(materialized='view') }}

with

source as (
    select * from {{ source('raw', 'load_log') }}
),

renamed as (
    select
        load_id,
        source_file,
        content_hash,
        file_format,
        rows as file_rows,
        loaded_at
    from source
)

select * from renamed
