"""Shared fixtures: a real anvil node, a fresh DuckDB warehouse per test, loopback servers."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import httpx
import pytest

from depinlens.registry import Registry, load_registry
from depinlens.settings import PROJECT_ROOT, Settings
from harness.anvil import Anvil
from harness.evm import LocalEvm
from harness.loopback import LoopbackServer, Reply, Request

# Tests mine blocks on fixed days so partitions are known in advance.
DAY_1 = date(2025, 6, 1)
DAY_2 = date(2025, 6, 2)
GENESIS = int(datetime(2025, 6, 1, tzinfo=UTC).timestamp()) - 3600
# ../shared beside the checkout (recorded fixtures, reference data), or DEPINLENS_SHARED_DIR;
# tests that need it skip, saying so, when it is absent
SHARED_DIR = Path(os.environ.get("DEPINLENS_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
NEEDS_SHARED_REASON = f"needs the shared reference data at {SHARED_DIR} (set DEPINLENS_SHARED_DIR)"


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry(PROJECT_ROOT / "networks.toml")


@pytest.fixture
def anvil() -> Iterator[Anvil]:
    """A fresh anvil on a free loopback port, back-dated to before DAY_1; always stopped."""
    node = Anvil(genesis_timestamp=GENESIS).start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory):
    """One real PostgreSQL server for the session (Debian's binaries, a temp cluster on a free loopback
    port), stopped at the end; tests make their own databases on it with `fresh_lake`."""
    from depinlens.postgres import PostgresUnavailable, local_cluster

    try:
        with local_cluster(tmp_path_factory.mktemp("postgres"), databases=(), durable=False) as cluster:
            yield cluster
    except PostgresUnavailable as exc:
        pytest.fail(f"the DuckLake tests need PostgreSQL: {exc}")


_LAKES = iter(range(1_000_000))


def fresh_lake(postgres, data_dir: Path) -> str:
    """A new, empty DuckLake: its own catalog database on the session's server, data under `data_dir`.
    Returns its DEPINLENS_WAREHOUSE location; DEPINLENS_LAKE_DATA is for the caller to set."""
    from depinlens.postgres import create_database

    name = f"lake_{os.getpid()}_{next(_LAKES)}"
    create_database(postgres, name)
    (data_dir / "lake").mkdir(parents=True, exist_ok=True)
    return f"ducklake:postgres:{postgres.dsn(name)}"


@pytest.fixture
def lake_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres) -> Settings:
    """Like `settings`, with the warehouse a fresh DuckLake on the session's PostgreSQL server."""
    monkeypatch.setenv("DEPINLENS_DATA_DIR", str(tmp_path))
    for var in ("DEPINLENS_SERVING", "DAGSTER_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DEPINLENS_WAREHOUSE", fresh_lake(postgres, tmp_path))
    monkeypatch.setenv("DEPINLENS_LAKE_DATA", str(tmp_path / "lake"))
    resolved = Settings.from_env()
    resolved.export()
    return resolved


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Warehouse, serving file and Dagster home in a temporary directory."""
    monkeypatch.setenv("DEPINLENS_DATA_DIR", str(tmp_path))
    for var in ("DEPINLENS_WAREHOUSE", "DEPINLENS_SERVING", "DAGSTER_HOME", "DEPINLENS_LAKE_DATA"):
        monkeypatch.delenv(var, raising=False)
    resolved = Settings.from_env()
    resolved.export()
    return resolved


def seconds(day: date, hour: int, minute: int = 0) -> int:
    """Unix time of `hour:minute` UTC on `day`."""
    return int(datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC).timestamp())


@pytest.fixture
def local_chain(anvil: Anvil, registry: Registry):
    """anvil with the registry's local tokens deployed; returns (LocalEvm, {address: contract})."""
    evm = LocalEvm(anvil.url)
    tokens = registry.tokens_on("anvil")
    contracts = evm.at(seconds(DAY_1, 0, 5)).deploy_registry_tokens(tokens)
    evm.deploy_registry_programs(registry.programs_on("anvil"), {t.network: t for t in tokens})
    return evm, contracts


def pipeline_resources(settings: Settings, rpc_url: str, **evm_overrides) -> dict:
    """The code location's resources pointed at `rpc_url` and the temporary warehouse."""
    from pipelines.defs.assets.solana import SolanaResource
    from pipelines.defs.dbt_project import dbt_cli_resource
    from pipelines.defs.resources import EvmResource, WarehouseResource

    os.environ["DEPINLENS_RPC_ANVIL"] = rpc_url
    return {
        "warehouse": WarehouseResource(path=str(settings.warehouse_path), serving_path=str(settings.serving_path)),
        "evm": EvmResource(chains=["anvil"], source="local", registry_path=str(settings.registry_path),
                           **evm_overrides),
        "dbt": dbt_cli_resource(),
        # the EVM tests leave the other families' chains out
        "solana": SolanaResource(chains=[], source="local", registry_path=str(settings.registry_path)),
    }


@pytest.fixture
def ephemeral_instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


class LoopbackProxy(LoopbackServer):
    """A JSON-RPC proxy on 127.0.0.1 in front of a real node; `rewrite` may replace an answer.

    rewrite(method, request_body) returns None to forward, (status, body_bytes) to answer, or
    "drop" to close the connection without answering. A JSON-RPC batch is seen as its first
    call's method with the whole list as the body.
    """

    def __init__(self, upstream: str, rewrite: Callable[[str, dict], tuple[int, bytes] | None]) -> None:
        self.methods: list[str] = []

        def respond(request: Request) -> Reply:
            call = json.loads(request.body)
            method = (call[0] if isinstance(call, list) and call else call).get("method")
            self.methods.append(method)
            override = rewrite(method, call)
            if override is not None:
                return override
            answer = httpx.post(upstream, content=request.body, headers={"Content-Type": "application/json"})
            return answer.status_code, answer.content

        super().__init__(respond, name="rpc-proxy")


def run_up(data_dir: Path, days: int, *options: str) -> str:
    """`depinlens up --days N --no-serve [options]` in `data_dir` with a clean environment; its stdout."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPINLENS_", "DAGSTER_"))}
    env["DEPINLENS_DATA_DIR"] = str(data_dir)
    env["DEPINLENS_SHARED_DIR"] = str(SHARED_DIR)
    done = subprocess.run([sys.executable, "-m", "depinlens.cli", "up", "--days", str(days), "--no-serve", *options],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "pipeline run" in done.stdout and "succeeded" in done.stdout
    return done.stdout


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`depinlens up --days 3 --no-serve` once per test session, in a fresh data directory:
    local chains with demo activity, Dagster ingest, dbt build and publish, all real."""
    data_dir = tmp_path_factory.mktemp("demo")
    run_up(data_dir, 3)
    return data_dir


def evm_only_selection():
    """The EVM chain assets, the registry, every dbt model and the publish step (no other chain families)."""
    import dagster as dg

    return (dg.AssetSelection.groups("evm") | dg.AssetSelection.keys(["raw", "registry"])
            | dg.AssetSelection.key_prefixes(["staging"], ["intermediate"], ["marts"])
            | dg.AssetSelection.keys(["serving", "marts"]))
