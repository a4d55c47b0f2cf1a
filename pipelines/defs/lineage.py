"""Which Dagster assets write each raw table: one place, read by the dbt translator.

Several ingestion assets may write one raw table (EVM and Solana both write
raw.token_transfers, each replacing only its own partitions). dbt knows the table as a
single source; this map turns that source into a dependency on every asset that writes it,
so the lineage in `dagster dev` runs from each chain asset to each mart.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator

RAW_TABLE_PRODUCERS: dict[str, list[dg.AssetKey]] = {
    "bench_runs": [dg.AssetKey(["raw", "bench_runs"])],
    "bench_rejections": [dg.AssetKey(["raw", "bench_runs"])],
    "token_transfers": [dg.AssetKey(["raw", "evm_token_transfers"]), dg.AssetKey(["raw", "solana_token_transfers"])],
    "jobs": [dg.AssetKey(["raw", "nosana_jobs"]), dg.AssetKey(["raw", "nosana_open_jobs"]),
             dg.AssetKey(["raw", "akash_leases"])],
    "staking_snapshots": [dg.AssetKey(["raw", "nosana_stakes"]), dg.AssetKey(["raw", "akash_staking"]),
                          dg.AssetKey(["raw", "akash_staking_now"]), dg.AssetKey(["raw", "evm_holder_balances"])],
    "supply_snapshots": [dg.AssetKey(["raw", "evm_supply_snapshots"]), dg.AssetKey(["raw", "solana_supply_snapshots"])],
    "provider_audits": [dg.AssetKey(["raw", "akash_leases"])],
    "block_days": [dg.AssetKey(["raw", "evm_token_transfers"]), dg.AssetKey(["raw", "akash_leases"])],
    "staking_events": [dg.AssetKey(["raw", "evm_staking_events"])],
    "vault_snapshots": [dg.AssetKey(["raw", "evm_vault_snapshots"])],
    "vault_prices": [dg.AssetKey(["raw", "evm_vault_prices"])],
    "loan_events": [dg.AssetKey(["raw", "evm_loan_events"])],
    "registry_networks": [dg.AssetKey(["raw", "registry"])],
    "registry_contracts": [dg.AssetKey(["raw", "registry"])],
    "registry_take_rates": [dg.AssetKey(["raw", "registry"])],
    "registry_not_measured": [dg.AssetKey(["raw", "registry"])],
    "registry_signals": [dg.AssetKey(["raw", "registry"])],
    "registry_max_supplies": [dg.AssetKey(["raw", "registry"])],
    "gpu_offers": [dg.AssetKey(["raw", "cloud_gpu_offers"])],
    "gpu_specs": [dg.AssetKey(["raw", "gpu_specs"])],
    "network_claims": [dg.AssetKey(["raw", "network_claims"])],
    "token_prices": [dg.AssetKey(["raw", "token_prices"])],
}


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """dagster-dbt's default translation, with raw sources resolved to their producing assets."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if not unique_id.startswith("model."):
            return spec
        deps: list[dg.AssetDep] = []
        for dep in spec.deps:
            key = dep.asset_key
            producers = RAW_TABLE_PRODUCERS.get(key.path[-1]) if key.path[0] == "raw" and len(key.path) == 2 else None
            if producers:
                deps += [dg.AssetDep(p) for p in producers]
            else:
                deps.append(dep)
        return spec.replace_attributes(deps=deps)
