"""Akash ingestion assets: leases (raw.jobs) and daily staking state (raw.staking_snapshots) over Cosmos REST."""

import os

import dagster as dg

from depinlens.settings import Settings
from pipelines.chains.cosmos import AkashClient, fetch_akash_leases, fetch_akash_staking
from pipelines.chains.endpoints import endpoint_url
from pipelines.chains.errors import ConfigError
from pipelines.defs.partitions import daily, single_run, window_days
from pipelines.defs.resources import ChainReaderResource, WarehouseResource, chains_from_env
from warehouse import Cursor, replace_partition


class AkashResource(ChainReaderResource):
    """Which Akash chains to read, how, and what provenance label their rows get.

    `chains` are registry chain ids of family cosmos (none: the assets write nothing); each
    chain's REST URL comes from the environment variable the registry names for it
    (DEPINLENS_REST_AKASH, DEPINLENS_REST_AKASH_LOCAL).
    """

    chains: list[str] = ["akash-local"]
    page_limit: int = 500
    earliest_height: int = 1

    def get_client(self, chain: str) -> AkashClient:
        """A REST client for `chain`, or a ConfigError naming the missing variable."""
        spec = self.chain_of_family(chain, "cosmos", "DEPINLENS_AKASH_CHAINS")
        return AkashClient(chain, endpoint_url(spec), page_limit=self.page_limit,
                           earliest_height=self.earliest_height, timeout_s=self.timeout_s,
                           max_attempts=self.max_attempts, max_wait_s=self.max_wait_s)

    def network_of(self, chain: str) -> str:
        """The registry network whose tokens live on `chain` (akash)."""
        networks = {t.network for t in self.registry().tokens_on(chain)}
        if len(networks) != 1:
            raise ConfigError(f"chain {chain!r} must carry the tokens of exactly one network in networks.toml; "
                              f"found {sorted(networks) or 'none'}")
        return networks.pop()


def build_akash_resource(settings: Settings | None = None) -> AkashResource:
    """The Akash resource for this process's environment (the loopback chain unless overridden)."""
    settings = settings or Settings.from_env()
    chains = chains_from_env("DEPINLENS_AKASH_CHAINS", "akash-local")
    return AkashResource(chains=chains, source=os.environ.get("DEPINLENS_SOURCE", "local"),
                         registry_path=str(settings.registry_path))


@dg.asset(
    key=["raw", "akash_leases"],
    partitions_def=daily,
    backfill_policy=single_run,
    group_name="akash",
    kinds={"cosmos", "duckdb"},
    pool="warehouse",
)
def akash_leases(context: dg.AssetExecutionContext, akash: AkashResource,
                 warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Akash leases active on the run's UTC days (provider, tenant, GPUs, price per block, start and end);
    one still open is read again by every later run it runs into."""
    first_day, last_day = window_days(context)
    counts, details = {}, {}
    for chain in akash.chains:
        network = akash.network_of(chain)
        client = akash.get_client(chain)
        try:
            fetched = fetch_akash_leases(client, first_day, last_day, network=network, source=akash.source)
        finally:
            client.close()
        cursors = [] if fetched.last_height is None else [
            Cursor(network=network, chain=chain, contract="market", record_kind="akash_lease",
                   last_block=fetched.last_height, last_day=last_day, source=akash.source)]
        with warehouse.get_connection() as conn:
            counts[chain] = replace_partition(
                conn, "raw.jobs", fetched.rows, scope={"network": network, "chain": chain, "source": akash.source},
                day_column="observed_day", first_day=first_day, last_day=last_day, cursors=cursors,
            )
        details[chain] = {"heights": [fetched.first_height, fetched.last_height],
                          "leases_listed": fetched.leases_listed, "market_api": fetched.market_version}
        if fetched.unmapped_gpu_models:
            details[chain]["unmapped_gpu_models"] = dict(fetched.unmapped_gpu_models)
            context.log.warning(f"{chain}: GPU models not in the canonical list (gpu_model left empty): "
                                f"{dict(fetched.unmapped_gpu_models)}; add them to pipelines/reference/gpu_models.py")
        context.log.info(f"{chain}: {counts[chain]} leases active in heights "
                         f"{fetched.first_height}-{fetched.last_height} ({first_day}..{last_day})")
    return dg.MaterializeResult(metadata={
        "rows": sum(counts.values()), "rows_per_chain": counts, "chains": details,
        "first_day": str(first_day), "last_day": str(last_day), "source": akash.source,
    })


@dg.asset(
    key=["raw", "akash_staking"],
    partitions_def=daily,
    backfill_policy=single_run,
    group_name="akash",
    kinds={"cosmos", "duckdb"},
    pool="warehouse",
)
def akash_staking(context: dg.AssetExecutionContext, akash: AkashResource,
                  warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Akash staking pool, supply, inflation and distribution parameters at the last block of each UTC day."""
    first_day, last_day = window_days(context)
    counts, heights = {}, {}
    for chain in akash.chains:
        network = akash.network_of(chain)
        client = akash.get_client(chain)
        try:
            fetched = fetch_akash_staking(client, first_day, last_day, network=network, source=akash.source)
        finally:
            client.close()
        cursors = [Cursor(network=network, chain=chain, contract="staking", record_kind="staking_snapshot",
                          last_block=max(fetched.heights.values()), last_day=max(fetched.heights), source=akash.source)
                   ] if fetched.heights else []
        with warehouse.get_connection() as conn:
            counts[chain] = replace_partition(
                conn, "raw.staking_snapshots", fetched.rows,
                scope={"network": network, "chain": chain, "source": akash.source},
                day_column="snapshot_day", first_day=first_day, last_day=last_day, cursors=cursors,
            )
        heights[chain] = {str(day): height for day, height in fetched.heights.items()}
        context.log.info(f"{chain}: {counts[chain]} staking metrics over {len(fetched.heights)} days")
    return dg.MaterializeResult(metadata={
        "rows": sum(counts.values()), "rows_per_chain": counts, "heights": heights,
        "first_day": str(first_day), "last_day": str(last_day), "source": akash.source,
    })


@dg.definitions
def akash_definitions() -> dg.Definitions:
    """This module's assets and the Akash resource (a module with a definitions function is loaded through it)."""
    return dg.Definitions(assets=[akash_leases, akash_staking], resources={"akash": build_akash_resource()})
