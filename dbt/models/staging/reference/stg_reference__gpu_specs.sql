-- GPU peak specs from raw.gpu_specs: one row per canonical GPU model, datasheet dense peaks.
with

source as (

    select * from {{ source('raw', 'gpu_specs') }}

),

renamed as (

    select
        -- ids
        gpu_model,
        regexp_replace(gpu_model, ' (\d+GB|SXM|PCIe|NVL)', '', 'g') as gpu_family,
        source,
        source_ref,

        -- numerics: dense TFLOP/s (GeForce tensor rates at FP32 accumulate), GB, GB/s
        fp32_tflops,
        tf32_tflops,
        fp16_tflops,
        bf16_tflops,
        memory_gb,
        memory_bandwidth_gbs,

        -- timestamps
        fetched_at

    from source

)

select * from renamed
