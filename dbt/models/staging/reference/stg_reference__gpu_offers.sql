-- GPU offers from raw.gpu_offers: one row per venue offer (instance type x GPU model x count)
-- per as-of day and source. gpu_model is canonical (gpu_bench/gpu_models.py);
-- gpu_family drops the variant words (80GB, SXM, PCIe, NVL) so unspecified variants group.
with

source as (

    select * from {{ source('raw', 'gpu_offers') }}

),

renamed as (

    select
        -- ids
        venue || ':' || instance_type || ':' || gpu_model_raw || ':' || gpu_count || ':' || as_of || ':' || source
            as offer_key,
        venue,
        venue_kind,
        instance_type,
        gpu_model,
        regexp_replace(gpu_model, ' (\d+GB|SXM|PCIe|NVL)', '', 'g') as gpu_family,
        gpu_model_raw,
        source,
        source_name,
        source_ref,

        -- numerics
        gpu_count,
        usd_per_hour,
        usd_per_gpu_hour,
        spot_usd_per_hour,
        spot_usd_per_hour / gpu_count as spot_usd_per_gpu_hour,
        -- gcp's accelerator-only rows price the GPUs without the VM they need
        instance_type = 'gpu-only' as excludes_vm,

        -- timestamps
        as_of,
        fetched_at

    from source

)

select * from renamed
