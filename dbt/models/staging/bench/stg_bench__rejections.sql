with

source as (

    select * from {{ source('bench', 'bench_rejections') }}

),

renamed as (

    select
        -- ids
        submission_path || ':' || coalesce(submission_sha256, 'unread') as rejection_key,
        submission_path,
        submission_sha256,
        key_type,
        operator_pubkey,
        nonce,
        run_id,
        source,

        -- numerics
        reason_code,
        reason_text,
        size_bytes,

        -- timestamps
        received_at,
        cast(received_at as date) as received_day

    from source

)

select * from renamed
