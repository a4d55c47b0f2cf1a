"""Reference data: the canonical GPU model list, and loaders for reviewed files (prices, specs, claims).

Loaders are pure (file -> Arrow rows of a raw table, with provenance, every figure within its
bound in depinlens/bounds.py); the Dagster assets in pipelines/defs/assets/reference.py do the
I/O against the warehouse, after `inputs.read_reference_inputs` has checked every input of the
run, keeping a copy of what they replace (`snapshots`) so a failed run can be undone.
"""

from pipelines.reference._csv import ReferenceDataError
from pipelines.reference.claims import NETWORK_CLAIMS_SCHEMA, load_network_claims
from pipelines.reference.cloud_prices import GPU_OFFERS_SCHEMA, CloudPriceReport, load_cloud_gpu_offers
from pipelines.reference.gpu_models import (
    CANONICAL_GPU_MODELS,
    GpuModel,
    UnmappedGpuModel,
    canonical_gpu_model,
    gpu_family,
    gpu_model_info,
    map_gpu_names,
)
from pipelines.reference.gpu_specs import GPU_SPECS_SCHEMA, load_gpu_specs
from pipelines.reference.live_prices import CoinGeckoPrices, fetch_live_token_prices, parse_coingecko_ids
from pipelines.reference.token_prices import TOKEN_PRICES_SCHEMA, load_token_prices

__all__ = [
    "CANONICAL_GPU_MODELS",
    "GPU_OFFERS_SCHEMA",
    "GPU_SPECS_SCHEMA",
    "NETWORK_CLAIMS_SCHEMA",
    "TOKEN_PRICES_SCHEMA",
    "CloudPriceReport",
    "CoinGeckoPrices",
    "GpuModel",
    "ReferenceDataError",
    "UnmappedGpuModel",
    "canonical_gpu_model",
    "fetch_live_token_prices",
    "gpu_family",
    "gpu_model_info",
    "load_cloud_gpu_offers",
    "load_gpu_specs",
    "load_network_claims",
    "load_token_prices",
    "map_gpu_names",
    "parse_coingecko_ids",
]
