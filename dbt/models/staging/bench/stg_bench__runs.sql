with

source as (

    select * from {{ source('bench', 'bench_runs') }}

),

renamed as (

    select
        -- ids
        submission_sha256 || ':' || measurement_index as measurement_key,
        run_id,
        measurement_index,
        submission_path,
        submission_sha256,
        operator_pubkey,
        key_type,
        nonce,
        -- what the operator typed (self-attested, control characters removed at load)
        provider,
        venue,
        -- the on-chain identity whose signature over the operator key the verifier checked
        binding_network,
        binding_provider,
        gpu_model,
        gpu_name,
        device,
        suite,
        metric,
        precision,
        engine,
        source,
        schema_version,

        -- numerics
        value,
        unit,
        pct_of_peak,
        median_s,
        p5_s,
        p95_s,
        warmup,
        reps,
        calls_per_rep,
        best_of_sweep,
        quick,
        -- figures on a GPU engine (a cudf.pandas run with CPU fallback is not one)
        engine in ('cuda', 'cudf-polars', 'cudf.pandas') as on_gpu,
        params,
        fingerprint,
        software_versions,

        -- timestamps
        signed_at,
        received_at,
        binding_issued_at,
        cast(signed_at as date) as signed_day

    from source

)

select * from renamed
