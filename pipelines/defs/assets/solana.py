"""Solana ingestion assets: SPL token movements read through the registry's signal accounts
(Render's burn wallet, io.net's mint), Nosana jobs through the Jobs program, and state
snapshots (Nosana stakes and open jobs, token supplies) that load every day they are taken.

The partitioned assets walk their days newest first (Solana pages signatures newest first)
and store each day in its own transaction with its progress; a re-run reads only unfinished
days, paging from the signatures the ledger keeps around them. Where the endpoint is Helius on
a paid plan, DEPINLENS_HISTORY_<CHAIN>=getTransactionsForAddress reads the same days through
that method (100 full transactions a call) instead of a getTransaction per transaction.
"""

import os
from collections.abc import Sequence
from datetime import date

import dagster as dg

from depinlens.registry import Chain, Program, Registry, Token
from depinlens.settings import Settings
from pipelines.chains.endpoints import endpoint_url
from pipelines.chains.errors import ConfigError
from pipelines.chains.solana import (
    STAKE_METRICS,
    AccountPager,
    HistoryPager,
    SignatureRecord,
    SolanaClient,
    day_span,
    paging_bounds,
    read_job_day,
    read_open_jobs,
    read_stakes,
    read_supplies,
    read_token_movements,
)
from pipelines.defs.daywise import ChainSummary, days_between, rows_per_scope, summary_metadata
from pipelines.defs.partitions import daily, single_run, window_days
from pipelines.defs.resources import ChainReaderResource, WarehouseResource, chains_from_env, refresh_from_env
from warehouse import Cursor, IngestDay, Ledger, Progress, read_cursor, read_ledger, replace_partition

TOKEN_KIND = "spl_token_instruction"
SIGNATURES_KIND = "spl_signatures"
JOBS_KIND = "nosana_job_instructions"
STANDARD_HISTORY = "standard"  # getSignaturesForAddress + getTransaction: every Solana node
HELIUS_HISTORY = "getTransactionsForAddress"  # Helius only, paid plans (Developer and up), 100 credits a call
HISTORY_METHODS = (STANDARD_HISTORY, HELIUS_HISTORY)


def history_variable(chain: Chain) -> str:
    """The variable that chooses how `chain`'s account histories are read."""
    return f"DEPINLENS_HISTORY_{chain.env_suffix}"


class SolanaResource(ChainReaderResource):
    """Which Solana chains to read, how, and what provenance label their rows get.

    `chains` are registry chain ids (`solana`, `solana-local`); each chain's RPC URL comes
    from the environment variable the registry names for it (e.g. DEPINLENS_RPC_SOLANA).
    An empty list reads nothing (the assets report 0 rows).
    """

    chains: list[str] = ["solana-local"]
    page_limit: int = 1000

    def get_client(self, chain: str) -> SolanaClient:
        """A JSON-RPC client for `chain`, or a ConfigError naming the missing variable."""
        spec = self.chain_of_family(chain, "solana", "DEPINLENS_SOLANA_CHAINS")
        return SolanaClient(chain, endpoint_url(spec), commitment="confirmed" if spec.local else "finalized",
                            budget=self.budget_of(chain), timeout_s=self.timeout_s, max_attempts=self.max_attempts,
                            max_wait_s=self.max_wait_s)

    def history_method(self, chain: str) -> str:
        """How `chain`'s account histories are read (DEPINLENS_HISTORY_<CHAIN>): `standard`
        (getSignaturesForAddress + one getTransaction per transaction, any node; the default) or
        `getTransactionsForAddress` (Helius' paid method: up to 100 full transactions a call)."""
        variable = history_variable(self.registry().chain(chain))
        text = os.environ.get(variable, "").strip() or STANDARD_HISTORY
        chosen = next((m for m in HISTORY_METHODS if m.lower() == text.lower()), None)
        if chosen is None:
            raise ConfigError(f"{variable}={text!r} is not a history method: set it to {STANDARD_HISTORY} (any "
                              f"Solana RPC) or {HELIUS_HISTORY} (Helius, paid plans), or unset it")
        return chosen

    def pager(self, client: SolanaClient, conn, ledger: Ledger, network: str, account: str, kind: str,
              pending: Sequence[date], *, typed: bool = False) -> AccountPager:
        """The pager of one account over the `pending` days, by the chain's history method: resumed from the
        ledger's anchors and the account's cursor (standard), or bounded by the days' block times (Helius;
        `typed`: its transactions read into the token decoder's structs)."""
        if self.history_method(client.chain) == HELIUS_HISTORY:
            variable = history_variable(self.registry().chain(client.chain))
            return HistoryPager(client, account, start=day_span(min(pending))[0], end=day_span(max(pending))[1],
                                refusal_hint=f"set {variable}={STANDARD_HISTORY} (or unset it) to read through "
                                             "getSignaturesForAddress and getTransaction", typed=typed)
        cursor = read_cursor(conn, network=network, chain=client.chain, contract=account, record_kind=kind)
        newest = (cursor.last_day, cursor.ref) if cursor is not None and cursor.ref else None
        before, until = paging_bounds(ledger.anchors[account], pending, newest)
        return AccountPager(client, account, before=before, until=until, page_limit=self.page_limit)


def _network_token(registry: Registry, program: Program) -> Token:
    """The token a program's network pays in on the program's chain (NOS for Nosana)."""
    tokens = [t for t in registry.networks[program.network].tokens if t.chain == program.chain]
    if not tokens:
        raise ConfigError(f"{program.network} {program.name} on {program.chain}: the registry lists no "
                          f"{program.network} token on that chain; add it to networks.toml")
    return tokens[0]


def _finalized_time(client: SolanaClient) -> int:
    """Unix time of the newest slot the node serves at its commitment: days ending after it are not final."""
    return client.block_time(client.slot())


def _account_progress(network: str, chain: str, source: str, kind: str, account: str, day: date,
                      records: list[SignatureRecord], complete: bool) -> tuple[IngestDay, list[Cursor]]:
    """The ledger row of one account's day (its paging anchors) and its cursor (newest signature)."""
    ingest = IngestDay(network, chain, source, kind, account, day, len(records), complete,
                       records[0].slot if records else None, records[-1].slot if records else None,
                       records[0].signature if records else None, records[-1].signature if records else None)
    cursors = [Cursor(network, chain, account, kind, records[-1].slot, day, source, records[-1].signature)] \
        if records else []
    return ingest, cursors


def _partitioned(name: str, **kwargs):
    return dg.asset(key=["raw", name], partitions_def=daily, backfill_policy=single_run, group_name="solana",
                    kinds={"solana", "duckdb"}, pool="warehouse", **kwargs)


def _snapshot(name: str, **kwargs):
    return dg.asset(key=["raw", name], group_name="solana", kinds={"solana", "duckdb"}, pool="warehouse", **kwargs)


@_partitioned("solana_token_transfers")
def solana_token_transfers(context: dg.AssetExecutionContext, solana: SolanaResource,
                           warehouse: WarehouseResource) -> dg.MaterializeResult:
    """SPL mints, burns and transfers of registry tokens, read through their signal accounts (Render's burn
    wallet, io.net's mint, ...), one partition per UTC day, newest day first."""
    first_day, last_day = window_days(context)
    registry = solana.registry()
    summaries: dict[str, ChainSummary] = {}
    for chain in solana.chains:
        summary = summaries[chain] = ChainSummary()
        signals = [g for g in registry.signals_on(chain) if g.token]
        tokens = {t.address: t for g in signals for t in registry.networks[g.network].tokens
                  if t.chain == chain and t.symbol == g.token}
        accounts_of = {mint: sorted({g.account for g in signals
                                     if g.network == token.network and g.token == token.symbol})
                       for mint, token in tokens.items()}
        network_of = {g.account: g.network for g in signals}
        if not tokens:
            context.log.info(f"{chain}: no signal accounts carry token movements; no request made")
            continue
        source = solana.source_of(chain)
        summary.notes["history_method"] = solana.history_method(chain)  # checks the setting before any request
        with warehouse.get_connection() as conn:
            ledger = read_ledger(conn, chain=chain, source=source, record_kind=TOKEN_KIND)
            account_ledger = read_ledger(conn, chain=chain, source=source, record_kind=SIGNATURES_KIND)
            pending_days = [d for d in days_between(first_day, last_day) if ledger.pending(tokens, d,
                                                                                           refresh=solana.refresh)]
            summary.days_skipped = (last_day - first_day).days + 1 - len(pending_days)
            if not pending_days:
                continue
            with solana.get_client(chain) as client:
                final = _finalized_time(client)
                needed = sorted({a for mint in tokens for a in accounts_of[mint]})
                pagers = {a: solana.pager(client, conn, account_ledger, network_of[a], a, SIGNATURES_KIND,
                                          pending_days, typed=True) for a in needed}
                for number, day in enumerate(reversed(pending_days), start=1):
                    start, end = day_span(day)
                    complete = end <= final
                    mints = ledger.pending(tokens, day, refresh=solana.refresh)
                    accounts = sorted({a for mint in mints for a in accounts_of[mint]})
                    records = {a: pagers[a].take_day(start, end) for a in accounts}
                    rows = read_token_movements(client, [r for rs in records.values() for r in rs],
                                                [tokens[m] for m in mints], source=source)
                    counts = rows_per_scope(rows, "token_address")
                    days = [IngestDay(tokens[m].network, chain, source, TOKEN_KIND, m, day, counts[m], complete)
                            for m in mints]
                    cursors: list[Cursor] = []
                    for account, account_records in records.items():
                        ingest, account_cursors = _account_progress(network_of[account], chain, source,
                                                                    SIGNATURES_KIND, account, day, account_records,
                                                                    complete)
                        days.append(ingest)
                        cursors += account_cursors
                    summary.rows += replace_partition(
                        conn, "raw.token_transfers", rows,
                        scope={"chain": chain, "source": source, "token_address": mints},
                        day_column="block_day", first_day=day, last_day=day,
                        progress=Progress(cursors=cursors, days=days))
                    summary.days_read += 1
                    summary.days_incomplete += not complete
                    failed = sum(r.failed for rs in records.values() for r in rs)
                    summary.notes["failed_transactions_skipped"] += failed
                    context.log.info(f"{chain} {day} ({number}/{len(pending_days)}): {rows.num_rows} SPL movements "
                                     f"from {sum(map(len, records.values()))} signatures of {len(accounts)} "
                                     f"accounts ({failed} failed, skipped)"
                                     + ("" if complete else "; day not final yet: read again next run"))
                summary.notes["signature_pages"] = sum(p.pages for p in pagers.values())
                summary.take_stats(client.endpoint.stats)
    return dg.MaterializeResult(metadata=summary_metadata(summaries, first_day=str(first_day),
                                                          last_day=str(last_day)))


@_partitioned("nosana_jobs")
def nosana_jobs(context: dg.AssetExecutionContext, solana: SolanaResource,
                warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Nosana jobs the Jobs program's transactions touched each UTC day (market, node, payer, price per second,
    state, start, end), read from the program's signatures and the touched job accounts."""
    first_day, last_day = window_days(context)
    registry = solana.registry()
    summaries: dict[str, ChainSummary] = {}
    for chain in solana.chains:
        for program in registry.programs_on(chain, kind="jobs"):
            key = f"{chain}:{program.network}"
            summary = summaries[key] = ChainSummary()
            summary.notes["history_method"] = solana.history_method(chain)  # checks the setting before any request
            token = _network_token(registry, program)
            source = solana.source_of(chain)
            with warehouse.get_connection() as conn:
                ledger = read_ledger(conn, chain=chain, source=source, record_kind=JOBS_KIND)
                pending_days = [d for d in days_between(first_day, last_day)
                                if ledger.pending([program.address], d, refresh=solana.refresh)]
                summary.days_skipped = (last_day - first_day).days + 1 - len(pending_days)
                if not pending_days:
                    continue
                with solana.get_client(chain) as client:
                    final = _finalized_time(client)
                    pager = solana.pager(client, conn, ledger, program.network, program.address, JOBS_KIND,
                                         pending_days)
                    for number, day in enumerate(reversed(pending_days), start=1):
                        start, end = day_span(day)
                        complete = end <= final
                        records = pager.take_day(start, end)
                        jobs, closed = read_job_day(client, records, program, token, day, source=source)
                        ingest, cursors = _account_progress(program.network, chain, source, JOBS_KIND,
                                                            program.address, day, records, complete)
                        rows = jobs.rows
                        summary.rows += replace_partition(
                            conn, "raw.jobs", rows,
                            scope={"network": program.network, "chain": chain, "source": source,
                                   "job_id": rows.column("job_id").to_pylist()},
                            day_column="observed_day", first_day=day, last_day=day,
                            progress=Progress(cursors=cursors, days=[ingest]))
                        summary.days_read += 1
                        summary.days_incomplete += not complete
                        summary.notes["job_accounts_closed"] += closed
                        context.log.info(f"{chain} {program.network} {day} ({number}/{len(pending_days)}): "
                                         f"{rows.num_rows} jobs from {len(records)} program transactions")
                    summary.take_stats(client.endpoint.stats)
    return dg.MaterializeResult(metadata=summary_metadata(summaries, first_day=str(first_day),
                                                          last_day=str(last_day)))


def _store_snapshot(context: dg.AssetExecutionContext, warehouse: WarehouseResource, table: str, snapshot, *,
                    scope: dict, day_column: str, cursor: Cursor) -> int:
    """Replace the snapshot's day (for its scope) with the snapshot, and move the cursor."""
    day = snapshot.time.date()
    with warehouse.get_connection() as conn:
        return replace_partition(conn, table, snapshot.rows, scope=scope, day_column=day_column, first_day=day,
                                 last_day=day, progress=Progress(cursors=[cursor]))


@_snapshot("nosana_stakes")
def nosana_stakes(context: dg.AssetExecutionContext, solana: SolanaResource,
                  warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every Nosana StakeAccount (amount, xNOS, duration, unstake time) as of the node's slot, filed under the
    snapshot's UTC day with its slot and time; taken daily by the state-snapshot schedule."""
    registry = solana.registry()
    counts: dict[str, dict] = {}
    for chain in solana.chains:
        for program in registry.programs_on(chain, kind="staking"):
            token, source = _network_token(registry, program), solana.source_of(chain)
            with solana.get_client(chain) as client:
                snapshot = read_stakes(client, program, token, source=source)
                calls = client.endpoint.stats.as_metadata()["calls"]
            rows = _store_snapshot(
                context, warehouse, "raw.staking_snapshots", snapshot,
                scope={"network": program.network, "chain": chain, "source": source, "metric": list(STAKE_METRICS)},
                day_column="snapshot_day",
                cursor=Cursor(program.network, chain, program.address, "nosana_stake_account", snapshot.slot,
                              snapshot.time.date(), source))
            counts[f"{chain}:{program.network}"] = {"rows": rows, "accounts": snapshot.accounts, "slot": snapshot.slot,
                                                    "observed_at": snapshot.time.isoformat(), "calls": calls}
            context.log.info(f"{chain} {program.network}: {snapshot.accounts} stake accounts at slot {snapshot.slot} "
                             f"({snapshot.time:%Y-%m-%d %H:%M} UTC)")
    return dg.MaterializeResult(metadata={"rows": sum(c["rows"] for c in counts.values()), "per_chain": counts})


@_snapshot("nosana_open_jobs")
def nosana_open_jobs(context: dg.AssetExecutionContext, solana: SolanaResource,
                     warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every queued or running Nosana job as of the node's slot, observed under the snapshot's UTC day (jobs
    that run for days are seen every day they run, not only on the days a transaction touches them)."""
    registry = solana.registry()
    counts: dict[str, dict] = {}
    for chain in solana.chains:
        for program in registry.programs_on(chain, kind="jobs"):
            token, source = _network_token(registry, program), solana.source_of(chain)
            with solana.get_client(chain) as client:
                snapshot = read_open_jobs(client, program, token, source=source)
                calls = client.endpoint.stats.as_metadata()["calls"]
            rows = _store_snapshot(
                context, warehouse, "raw.jobs", snapshot,
                scope={"network": program.network, "chain": chain, "source": source,
                       "job_id": snapshot.rows.column("job_id").to_pylist()},
                day_column="observed_day",
                cursor=Cursor(program.network, chain, program.address, "nosana_open_jobs", snapshot.slot,
                              snapshot.time.date(), source))
            counts[f"{chain}:{program.network}"] = {"rows": rows, "open_jobs": snapshot.accounts,
                                                    "slot": snapshot.slot, "calls": calls,
                                                    "observed_at": snapshot.time.isoformat()}
    return dg.MaterializeResult(metadata={"rows": sum(c["rows"] for c in counts.values()), "per_chain": counts})


@_snapshot("solana_supply_snapshots")
def solana_supply_snapshots(context: dg.AssetExecutionContext, solana: SolanaResource,
                            warehouse: WarehouseResource) -> dg.MaterializeResult:
    """getTokenSupply of every registry mint, as of the node's slot (taken right after each UTC day ends):
    the stock that summed mints and burns are checked against."""
    registry = solana.registry()
    counts: dict[str, dict] = {}
    for chain in solana.chains:
        tokens = registry.tokens_on(chain)
        if not tokens:
            continue
        source = solana.source_of(chain)
        with solana.get_client(chain) as client:
            snapshot = read_supplies(client, tokens, source=source)
            calls = client.endpoint.stats.as_metadata()["calls"]
        day = snapshot.time.date()
        with warehouse.get_connection() as conn:
            rows = replace_partition(conn, "raw.supply_snapshots", snapshot.rows,
                                     scope={"chain": chain, "source": source,
                                            "token_address": [t.address for t in tokens]},
                                     day_column="snapshot_day", first_day=day, last_day=day)
        counts[chain] = {"rows": rows, "slot": snapshot.slot, "observed_at": snapshot.time.isoformat(), "calls": calls}
    return dg.MaterializeResult(metadata={"rows": sum(c["rows"] for c in counts.values()), "per_chain": counts})


def solana_resource_from_env(settings: Settings | None = None) -> SolanaResource:
    """The Solana resource for this process's environment.

    DEPINLENS_SOLANA_CHAINS: comma-separated registry chain ids (default `solana-local`;
    an empty string reads nothing). DEPINLENS_SOURCE: `local` or `demo` for local chains
    (real chains are always `live`). DEPINLENS_REFRESH=1 reads finished days again.
    DEPINLENS_HISTORY_<CHAIN>: `standard` (default) or `getTransactionsForAddress` (Helius, paid).
    """
    settings = settings or Settings.from_env()
    chains = chains_from_env("DEPINLENS_SOLANA_CHAINS", "solana-local")
    return SolanaResource(chains=chains, source=os.environ.get("DEPINLENS_SOURCE", "local"),
                          registry_path=str(settings.registry_path), refresh=refresh_from_env())


@dg.definitions
def solana_definitions() -> dg.Definitions:
    """This module's assets and the `solana` resource (a module with a definitions function is loaded through it)."""
    return dg.Definitions(assets=[solana_token_transfers, nosana_jobs, nosana_stakes, nosana_open_jobs,
                                  solana_supply_snapshots],
                          resources={"solana": solana_resource_from_env()})
