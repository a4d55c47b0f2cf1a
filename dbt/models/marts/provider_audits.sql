-- One row per network × provider × source label: what Akash's audit module said of the provider at
-- the latest read (raw.provider_audits, once per ingest run): audited or not, by which auditors,
-- the attributes they signed, and the block it was read at. A provider never read has no row, so a
-- page says "not read" rather than "not audited".
with

audits as (

    select * from {{ ref('stg_akash__provider_audits') }}

),

latest_read as (

    select *
    from audits
    qualify observed_day = max(observed_day) over (partition by network, provider, source)

),

per_provider as (

    select
        -- ids
        network,
        provider,
        source,

        -- audit
        bool_or(audited) as audited,
        string_agg(distinct auditor, ', ' order by auditor) as auditors,
        case when bool_or(audited) then 'audited by ' || string_agg(distinct auditor, ', ' order by auditor)
             else 'not audited' end as audit_status,
        -- the signed attributes of every auditor, as JSON text (empty list when not audited)
        coalesce(to_json(list(attributes::json order by auditor) filter (where audited)), '[]')::varchar
            as audited_attributes,

        -- provenance
        max(block_number) as read_at_block,
        max(block_time) as read_at,
        max(observed_day) as observed_day

    from latest_read
    group by all

)

select
    network || ':' || provider || ':' || source as provider_audit_key,
    *
from per_provider
