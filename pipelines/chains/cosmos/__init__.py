"""Cosmos adapter for Akash: REST (gRPC-gateway) reads with retries, pure decoders for leases and staking."""

from pipelines.chains.cosmos._blocks import AKASH_SECONDS_PER_BLOCK, parse_block_time
from pipelines.chains.cosmos._client import AkashClient
from pipelines.chains.cosmos._fetch import FetchedLeases, FetchedStaking, fetch_akash_leases, fetch_akash_staking
from pipelines.chains.cosmos._gpus import GpuNames, decode_deployment_gpus, decode_provider_gpus, lease_gpu_model
from pipelines.chains.cosmos._http import RestClient
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
    "FetchedLeases",
    "FetchedStaking",
    "GpuNames",
    "Lease",
    "LeaseGpus",
    "RestClient",
    "decode_deployment_gpus",
    "decode_lease_v1beta4",
    "decode_lease_v1beta5",
    "decode_leases",
    "decode_provider_gpus",
    "fetch_akash_leases",
    "fetch_akash_staking",
    "lease_gpu_model",
    "lease_rows",
    "parse_block_time",
    "price_per_hour",
    "staking_rows",
]
