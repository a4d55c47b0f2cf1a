"""Cosmos adapter for Akash: REST (gRPC-gateway) reads through the HTTP layer, pure decoders for leases and staking."""

from pipelines.chains.cosmos._audits import ProviderAudit, audit_rows, decode_audits
from pipelines.chains.cosmos._blocks import AKASH_SECONDS_PER_BLOCK, parse_block_time
from pipelines.chains.cosmos._client import AkashClient
from pipelines.chains.cosmos._fetch import (
    DayHeights,
    FetchedStaking,
    KnownLease,
    LeaseState,
    active_on,
    day_heights,
    day_rows,
    lease_key,
    read_lease_gpus,
    read_lease_state,
    read_provider_audits,
    read_staking,
)
from pipelines.chains.cosmos._gpus import GpuNames, decode_deployment_gpus, decode_provider_gpus, lease_gpu_model
from pipelines.chains.cosmos._leases import (
    JOBS_SCHEMA,
    Lease,
    LeaseGpus,
    decode_lease_v1beta4,
    decode_lease_v1beta5,
    decode_leases,
    lease_rows,
    price_per_hour,
)
from pipelines.chains.cosmos._staking import STAKING_SNAPSHOTS_SCHEMA, staking_rows

__all__ = [
    "AKASH_SECONDS_PER_BLOCK",
    "JOBS_SCHEMA",
    "STAKING_SNAPSHOTS_SCHEMA",
    "AkashClient",
    "DayHeights",
    "FetchedStaking",
    "GpuNames",
    "KnownLease",
    "Lease",
    "LeaseGpus",
    "LeaseState",
    "ProviderAudit",
    "active_on",
    "audit_rows",
    "day_heights",
    "day_rows",
    "decode_audits",
    "decode_deployment_gpus",
    "decode_lease_v1beta4",
    "decode_lease_v1beta5",
    "decode_leases",
    "decode_provider_gpus",
    "lease_gpu_model",
    "lease_key",
    "lease_rows",
    "parse_block_time",
    "price_per_hour",
    "read_lease_gpus",
    "read_lease_state",
    "read_provider_audits",
    "read_staking",
    "staking_rows",
]
