-- Akash provider audits from raw.provider_audits: one row per chain, source, day read, provider and
-- auditor (null: the audit module lists no audit of the provider). attributes: the signed key/value
-- pairs as JSON text, exactly as the chain stated them.
with

source as (

    select * from {{ source('raw', 'provider_audits') }}

),

renamed as (

    select
        -- ids
        chain || ':' || source || ':' || observed_day || ':' || provider || ':' || coalesce(auditor, '')
            as audit_key,
        network,
        chain,
        source,
        provider,
        auditor,

        -- attributes
        attributes,
        auditor is not null as audited,

        -- numerics
        block_number,

        -- timestamps
        block_time,
        observed_day,
        fetched_at

    from source

)

select * from renamed
