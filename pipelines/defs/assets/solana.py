"""Solana ingestion assets: SPL token movements (Render, io.net, Nosana), Nosana jobs and stakes.

Render's revenue is its burns (Burn-Mint Equilibrium) and its emissions are mints; io.net
buys back and burns IO; both are kept as raw kinds (`burn`, `mint`) in raw.token_transfers
so marts compute revenue = burns, gross fees = burns / 0.95, emissions = mints.
"""

import os

import dagster as dg

from depinlens.registry import Program, Registry, Token
from depinlens.settings import Settings
from pipelines.chains.endpoints import endpoint_url
from pipelines.chains.errors import ConfigError
from pipelines.chains.solana import (
    STAKE_METRICS,
    SolanaClient,
    fetch_nosana_jobs,
    fetch_nosana_stakes,
    fetch_token_transfers,
)
from pipelines.defs.partitions import daily, single_run, window_days
from pipelines.defs.resources import ChainReaderResource, WarehouseResource, chains_from_env
from warehouse import Cursor, replace_partition


class SolanaResource(ChainReaderResource):
    """Which Solana chains to read, how, and what provenance label their rows get.

    `chains` are registry chain ids (`solana`, `solana-local`); each chain's RPC URL comes
    from the environment variable the registry names for it (e.g. DEPINLENS_RPC_SOLANA).
    An empty list reads nothing (the assets report 0 rows).
    """

    chains: list[str] = ["solana-local"]
    page_limit: int = 1000
    batch_size: int = 100

    def get_client(self, chain: str) -> SolanaClient:
        """A JSON-RPC client for `chain`, or a ConfigError naming the missing variable."""
        spec = self.chain_of_family(chain, "solana", "DEPINLENS_SOLANA_CHAINS")
        return SolanaClient(chain, endpoint_url(spec), commitment="confirmed" if spec.local else "finalized",
                            timeout_s=self.timeout_s, max_attempts=self.max_attempts, max_wait_s=self.max_wait_s)


def _network_token(registry: Registry, program: Program) -> Token:
    """The token a program's network pays in on the program's chain (NOS for Nosana)."""
    tokens = [t for t in registry.networks[program.network].tokens if t.chain == program.chain]
    if not tokens:
        raise ConfigError(f"{program.network} {program.name} on {program.chain}: the registry lists no "
                          f"{program.network} token on that chain; add it to networks.toml")
    return tokens[0]


@dg.asset(
    key=["raw", "solana_token_transfers"],
    partitions_def=daily,
    backfill_policy=single_run,
    group_name="solana",
    kinds={"solana", "duckdb"},
    pool="warehouse",
)
def solana_token_transfers(context: dg.AssetExecutionContext, solana: SolanaResource,
                           warehouse: WarehouseResource) -> dg.MaterializeResult:
    """SPL mints, burns and transfers of every registry mint on Solana, one partition per UTC day."""
    first_day, last_day = window_days(context)
    registry = solana.registry()
    counts: dict[str, int] = {}
    signatures = failed = 0
    for chain in solana.chains:
        tokens = registry.tokens_on(chain)
        if not tokens:
            context.log.info(f"{chain}: no registry tokens, nothing to read")
            continue
        with solana.get_client(chain) as client:
            fetched = fetch_token_transfers(client, tokens, first_day, last_day, source=solana.source,
                                            page_limit=solana.page_limit, batch_size=solana.batch_size)
        cursors = [Cursor(network=t.network, chain=chain, contract=t.address, record_kind="spl_token_instruction",
                          last_block=fetched.last_slot, last_day=last_day, source=solana.source)
                   for t in tokens if fetched.last_slot is not None]
        with warehouse.get_connection() as conn:
            counts[chain] = replace_partition(
                conn, "raw.token_transfers", fetched.rows,
                scope={"chain": chain, "source": solana.source, "token_address": [t.address for t in tokens]},
                day_column="block_day", first_day=first_day, last_day=last_day, cursors=cursors,
            )
        signatures += fetched.signatures
        failed += fetched.failed
        context.log.info(f"{chain}: {counts[chain]} SPL movements from {fetched.signatures} transactions "
                         f"(slots {fetched.first_slot}-{fetched.last_slot}, {fetched.failed} failed skipped) "
                         f"for {first_day}..{last_day}")
    return dg.MaterializeResult(metadata={
        "rows": sum(counts.values()),
        "rows_per_chain": counts,
        "transactions": signatures,
        "failed_transactions_skipped": failed,
        "first_day": str(first_day),
        "last_day": str(last_day),
        "source": solana.source,
    })


@dg.asset(
    key=["raw", "nosana_jobs"],
    partitions_def=daily,
    backfill_policy=single_run,
    group_name="solana",
    kinds={"solana", "duckdb"},
    pool="warehouse",
)
def nosana_jobs(context: dg.AssetExecutionContext, solana: SolanaResource,
                warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Nosana JobAccounts (market, node, payer, price per second, state, start, end) active on the run's days;
    a job still running is read again by every later run it runs into."""
    first_day, last_day = window_days(context)
    registry = solana.registry()
    counts: dict[str, int] = {}
    left_out = {"outside_window": 0, "undated": 0}
    for chain in solana.chains:
        for program in registry.programs_on(chain, kind="jobs"):
            token = _network_token(registry, program)
            with solana.get_client(chain) as client:
                fetched = fetch_nosana_jobs(client, program, token, first_day, last_day, source=solana.source,
                                            page_limit=solana.page_limit, batch_size=solana.batch_size)
            rows = fetched.jobs.rows
            with warehouse.get_connection() as conn:
                # Scoped to the jobs seen now: a job whose account was closed since keeps its row.
                counts[f"{chain}:{program.network}"] = replace_partition(
                    conn, "raw.jobs", rows,
                    scope={"network": program.network, "chain": chain, "source": solana.source,
                           "job_id": rows.column("job_id").to_pylist()},
                    day_column="observed_day", first_day=first_day, last_day=last_day,
                    cursors=[Cursor(network=program.network, chain=chain, contract=program.address,
                                    record_kind="nosana_job_account", last_block=fetched.slot, last_day=last_day,
                                    source=solana.source)],
                )
            left_out["outside_window"] += fetched.jobs.outside_window
            left_out["undated"] += fetched.jobs.undated
            context.log.info(f"{chain} {program.network}: {rows.num_rows} jobs of {fetched.jobs.accounts} accounts "
                             f"at slot {fetched.slot} ({fetched.instructions} job instructions in the window)")
    return dg.MaterializeResult(metadata={
        "rows": sum(counts.values()),
        "rows_per_chain": counts,
        "jobs_outside_window": left_out["outside_window"],
        "jobs_without_day": left_out["undated"],
        "first_day": str(first_day),
        "last_day": str(last_day),
        "source": solana.source,
    })


@dg.asset(
    key=["raw", "nosana_stakes"],
    partitions_def=daily,
    backfill_policy=single_run,
    group_name="solana",
    kinds={"solana", "duckdb"},
    pool="warehouse",
)
def nosana_stakes(context: dg.AssetExecutionContext, solana: SolanaResource,
                  warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Nosana StakeAccounts (amount, xNOS, duration, unstake time) as a snapshot of the read's day."""
    first_day, last_day = window_days(context)
    registry = solana.registry()
    counts: dict[str, int] = {}
    snapshot_days: dict[str, str] = {}
    for chain in solana.chains:
        for program in registry.programs_on(chain, kind="staking"):
            token = _network_token(registry, program)
            with solana.get_client(chain) as client:
                fetched = fetch_nosana_stakes(client, program, token, source=solana.source)
            day = fetched.rows.column("snapshot_day")[0].as_py() if fetched.rows.num_rows else None
            key = f"{chain}:{program.network}"
            if day is None or not first_day <= day <= last_day:
                # A state read belongs to the day it was taken; it never overwrites another day.
                counts[key] = 0
                snapshot_days[key] = f"{day} (outside {first_day}..{last_day}, not loaded)" if day else "no accounts"
                context.log.info(f"{chain} {program.network}: stake snapshot at slot {fetched.slot} is for {day}, "
                                 f"outside {first_day}..{last_day}; nothing loaded")
                continue
            with warehouse.get_connection() as conn:
                counts[key] = replace_partition(
                    conn, "raw.staking_snapshots", fetched.rows,
                    scope={"network": program.network, "chain": chain, "source": solana.source,
                           "metric": list(STAKE_METRICS)},
                    day_column="snapshot_day", first_day=day, last_day=day,
                    cursors=[Cursor(network=program.network, chain=chain, contract=program.address,
                                    record_kind="nosana_stake_account", last_block=fetched.slot, last_day=day,
                                    source=solana.source)],
                )
            snapshot_days[key] = str(day)
            context.log.info(f"{chain} {program.network}: {fetched.accounts} stake accounts at slot {fetched.slot}")
    return dg.MaterializeResult(metadata={
        "rows": sum(counts.values()),
        "rows_per_chain": counts,
        "snapshot_day": snapshot_days,
        "first_day": str(first_day),
        "last_day": str(last_day),
        "source": solana.source,
    })


def solana_resource_from_env(settings: Settings | None = None) -> SolanaResource:
    """The Solana resource for this process's environment.

    DEPINLENS_SOLANA_CHAINS: comma-separated registry chain ids (default `solana-local`;
    an empty string reads nothing). DEPINLENS_SOURCE: provenance label (default `local`).
    """
    settings = settings or Settings.from_env()
    chains = chains_from_env("DEPINLENS_SOLANA_CHAINS", "solana-local")
    return SolanaResource(chains=chains, source=os.environ.get("DEPINLENS_SOURCE", "local"),
                          registry_path=str(settings.registry_path))


@dg.definitions
def solana_definitions() -> dg.Definitions:
    """This module's assets and the `solana` resource (a module with a definitions function is loaded through it)."""
    return dg.Definitions(assets=[solana_token_transfers, nosana_jobs, nosana_stakes],
                          resources={"solana": solana_resource_from_env()})
