-- One row per canonical GPU model: datasheet dense peaks (TFLOP/s), memory and bandwidth.
with

specs as (

    select * from {{ ref('stg_reference__gpu_specs') }}

)

select
    gpu_model,
    gpu_family,
    fp32_tflops,
    tf32_tflops,
    fp16_tflops,
    bf16_tflops,
    memory_gb,
    memory_bandwidth_gbs,
    source_ref,
    source

from specs
