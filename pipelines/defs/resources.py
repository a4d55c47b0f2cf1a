"""Resources: typed config classes, created once here from the environment and registered."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from depinlens.registry import Chain, Program, Registry, Token, load_registry
from depinlens.settings import Settings
from pipelines.chains.errors import ConfigError
from pipelines.chains.endpoints import endpoint_url
from pipelines.chains.evm import EvmClient
from pipelines.http import UNLIMITED, Budget
from warehouse import WarehouseConnections, is_lake, settle_progress

Source = str  # live | local | demo


class WarehouseResource(dg.ConfigurableResource):
    """The working DuckDB file (read-write, schema applied) and where its marts are published."""

    path: str
    serving_path: str
    _connections: WarehouseConnections | None = PrivateAttr(default=None)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """The run's end in this process: detach the lake, if one was attached."""
        if self._connections is not None:
            self._connections.close()

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection, closed on exit so dbt can open the file next (a lake stays attached for
        the run: warehouse.WarehouseConnections). Loads append cursor rows, and readers in other workers may
        record a block day at the same moment (warehouse/_progress.py): once the work with it is done, one row
        per cursor and per block day is kept."""
        if self._connections is None:
            self._connections = WarehouseConnections(self.path)
        conn = self._connections.connect()
        try:
            yield conn
            settle_progress(conn)
        finally:
            self._connections.release(conn)

    @contextmanager
    def read_connection(self) -> Iterator[duckdb.DuckDBPyConnection | None]:
        """A connection for a quick read, closed on exit: the DuckDB file opened read-only, or None while
        there is no file yet; a lake's session as `get_connection` gives it. It skips `connect_warehouse`'s
        schema and integrity check (about 15 ms instead of 120-400 ms at 10M rows, most of it the check):
        for a step that has just run `check_warehouse`."""
        if is_lake(self.path):
            with self.get_connection() as conn:
                yield conn
            return
        if not Path(self.path).exists():
            yield None
            return
        conn = duckdb.connect(self.path, read_only=True)
        try:
            yield conn
        finally:
            conn.close()


class ChainReaderResource(dg.ConfigurableResource):
    """What every chain-family resource shares: which registry chains to read, the provenance
    label their rows get, and how patiently to talk to a node. An empty `chains` list reads
    nothing (the assets report 0 rows)."""

    chains: list[str]
    source: str = "local"
    registry_path: str
    timeout_s: float = 30.0
    max_attempts: int = 5
    max_wait_s: float = 8.0
    budget: str = ""
    refresh: bool = False

    def source_of(self, chain: str) -> str:
        """The provenance label of `chain`'s rows: `live` for a real chain whatever was configured, and
        for a local chain (registry `local = true`) the configured `local` or `demo`, never `live`."""
        if not self.registry().chain(chain).local:
            return "live"
        return "demo" if self.source == "demo" else "local"

    def budget_of(self, chain: str) -> Budget:
        """The request budget for `chain`: unlimited for a local chain; else the registry's, then
        DEPINLENS_BUDGET_<CHAIN>, then this resource's `budget` override."""
        spec = self.registry().chain(chain)
        base = UNLIMITED if spec.local else Budget.parse(spec.budget)
        for text, where in ((os.environ.get(f"DEPINLENS_BUDGET_{spec.env_suffix}", ""),
                             f"DEPINLENS_BUDGET_{spec.env_suffix}"), (self.budget, "the resource's budget")):
            try:
                base = Budget.parse(text, base)
            except ValueError as exc:
                raise ConfigError(f"{where}: {exc}") from None
        return base

    def archive(self, chain: str) -> bool:
        """Whether `chain`'s endpoint serves state at old heights (registry, or DEPINLENS_ARCHIVE_<CHAIN>)."""
        spec = self.registry().chain(chain)
        override = os.environ.get(f"DEPINLENS_ARCHIVE_{spec.env_suffix}", "").strip()
        return override == "1" if override in ("0", "1") else spec.archive

    def registry(self) -> Registry:
        """The network registry this resource reads identifiers from."""
        return load_registry(Path(self.registry_path))

    def chain_of_family(self, chain: str, family: str, variable: str) -> Chain:
        """The registry chain `chain`, refusing one of another family with the chains that would fit."""
        spec = self.registry().chain(chain)
        if spec.family != family:
            fitting = ", ".join(c for c, s in self.registry().chains.items() if s.family == family)
            raise ConfigError(f"chain {chain!r} is a {spec.family} chain; {variable} lists {family} chains only "
                              f"({fitting})")
        return spec


def refresh_from_env() -> bool:
    """DEPINLENS_REFRESH=1: read finished days again (a reorg deeper than the confirmations, a fixed decoder)."""
    return os.environ.get("DEPINLENS_REFRESH", "").strip() == "1"


def chains_from_env(variable: str, default: str) -> list[str]:
    """Registry chain ids from a comma-separated variable ("" means none)."""
    return [c.strip() for c in os.environ.get(variable, default).split(",") if c.strip()]


class EvmResource(ChainReaderResource):
    """Which EVM chains to read, how, and what provenance label their rows get.

    `chains` are registry chain ids; each chain's RPC URL comes from the environment
    variable the registry names for it (e.g. DEPINLENS_RPC_ETHEREUM).
    """

    chains: list[str] = ["anvil"]
    chunk_blocks: int = 2_000

    allow_unverified: bool = False

    def get_client(self, chain: str) -> EvmClient:
        """A JSON-RPC client for `chain`, or a ConfigError naming the missing variable."""
        spec = self.chain_of_family(chain, "evm", "DEPINLENS_EVM_CHAINS")
        return EvmClient(chain, endpoint_url(spec), budget=self.budget_of(chain), timeout_s=self.timeout_s,
                         max_attempts=self.max_attempts, max_wait_s=self.max_wait_s)

    def confirmations(self, chain: str) -> int:
        """Blocks this deep or deeper are read; newer ones wait for a later run."""
        return self.registry().chain(chain).confirmations

    def tokens(self, chain: str) -> list[Token]:
        """Registry tokens on `chain` that may be read (unverified ones need an explicit opt-in)."""
        return self._allowed(chain, self.registry().tokens_on(chain))

    def programs(self, chain: str) -> list[Program]:
        """Registry programs on `chain` that may be read (unverified ones need an explicit opt-in)."""
        return self._allowed(chain, self.registry().programs_on(chain))

    def _allowed(self, chain: str, items: list) -> list:
        """Verified items, and unverified ones only with the opt-in (`unverified_skipped` says what is left out)."""
        return items if self.allow_unverified else [i for i in items if i.verified]

    def unverified_skipped(self, chain: str) -> list[str]:
        """What `tokens` and `programs` leave out on `chain` for want of the opt-in, one line each saying why."""
        if self.allow_unverified:
            return []
        registry = self.registry()
        return [f"{chain}: skipped {i.network} {getattr(i, 'symbol', None) or i.name} {i.address}: not verified in "
                "networks.toml (see its `reference`), and reading it could ingest the wrong contract. Confirm the "
                "identifier, or set DEPINLENS_ALLOW_UNVERIFIED=1 to read it anyway."
                for i in [*registry.tokens_on(chain), *registry.programs_on(chain)] if not i.verified]


def build_resources(settings: Settings | None = None, *, dbt: bool = True) -> dict[str, dg.ConfigurableResource]:
    """The resource set for this process's environment (embedded default unless overridden).

    `dbt=False` leaves dbt out, and with it the import of dagster-dbt and dbt (about 1.2 s): an
    ingestion worker (pipelines/parallel.py) runs no dbt.
    """
    settings = settings or Settings.from_env()
    settings.export()
    chains = chains_from_env("DEPINLENS_EVM_CHAINS", "anvil")
    built: dict[str, dg.ConfigurableResource] = {
        "warehouse": WarehouseResource(path=str(settings.warehouse_path), serving_path=str(settings.serving_path)),
        "evm": EvmResource(chains=chains, source=os.environ.get("DEPINLENS_SOURCE", "local"),
                           registry_path=str(settings.registry_path), refresh=refresh_from_env(),
                           allow_unverified=os.environ.get("DEPINLENS_ALLOW_UNVERIFIED", "") == "1"),
    }
    if dbt:
        from pipelines.defs.dbt_project import dbt_cli_resource

        built["dbt"] = dbt_cli_resource()
    return built


@dg.definitions
def resources() -> dg.Definitions:
    """Register the resources once for the whole code location."""
    return dg.Definitions(resources=build_resources())
