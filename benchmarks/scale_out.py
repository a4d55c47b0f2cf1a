"""Scale-out on DuckLake: ingestion in 1 and 2 workers against delayed chains, and the 10M-row dbt build.

Ingestion: the registry's Ethereum, Solana and Akash addresses served by the mainnet-shaped
providers of harness/mainnet (TEST_VOLUMES a day) for DAYS days, each behind a loopback proxy
that answers every request DELAY_MS late, as a remote provider's round trip does; the providers'
request limits are lifted, so only that delay paces the readers. The same DAYS partitions are
ingested with `pipelines.parallel.ingest_in_workers` by 1 and then by N worker processes (`--workers`,
default 2; shared as `--split` says: by default, as `depinlens run --workers N` shares them), each
time into a fresh DuckLake whose catalog lives on a PostgreSQL cluster this script starts (and
stops) with depinlens/postgres.py. For each: wall time, days/s, rows/s (raw data rows, without
the ingestion ledger), HTTP requests and calls served; then whether both lakes hold the same raw
rows, and `speedup_N_workers: X` (target on 2 cores, N = 2: >= 1.7). More workers than cores measure the
requests each way of sharing makes (they are CPU-bound here, so their times say little).

dbt: benchmarks/pipeline_scale.py's synthetic raw layer (ROWS token movements over a year and
every registry token) built into a DuckDB file and into a DuckLake on the same server, then a full
`dbt build` and a one-day incremental build of each, timed; both times and the ratio.

    .venv/bin/python benchmarks/scale_out.py [--days 30] [--delay-ms 50] [--workers 2] [--split auto]
        [--rows 10000000] [--skip-dbt]

The last lines read `speedup_2_workers: <x>` (`speedup_N_workers` with --workers N) and
`dbt_full_build_lake_over_file: <ratio>`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from benchmarks.pipeline_scale import LAST_DAY, build_raw_layer, dbt_seconds  # noqa: E402
from depinlens.postgres import Cluster, create_database, local_cluster  # noqa: E402
from depinlens.registry import load_registry  # noqa: E402
from depinlens.settings import PROJECT_ROOT  # noqa: E402
from harness.loopback import LoopbackServer, Reply, Request  # noqa: E402
from harness.mainnet import TEST_VOLUMES  # noqa: E402
from harness.mainnet.fleet import Fleet, FleetLimits, mainnet_fleet  # noqa: E402
from pipelines.parallel import SPLITS  # noqa: E402

FIRST_DAY = date(2025, 5, 1)
NO_LIMITS = FleetLimits(window_s=1.0, evm_per_method=10**6, evm_total=10**6, solana_per_method=10**6,
                        solana_total=10**6, akash_per_route=10**6, akash_total=10**6)
BOOKKEEPING = ("ingest_days", "ingest_state", "block_days")  # the ingestion ledger, not data rows
URL_VARIABLES = {"DEPINLENS_RPC_ETHEREUM": "evm", "DEPINLENS_RPC_SOLANA": "solana", "DEPINLENS_REST_AKASH": "akash"}


class DelayProxy(LoopbackServer):
    """Forward every request to `upstream` after `delay_s`, as a remote provider's round trip would delay it.

    Concurrent requests wait concurrently (one thread each), so a client with requests in flight
    pays the delay once per round, not once per request.
    """

    def __init__(self, upstream: str, delay_s: float) -> None:
        self.requests = 0
        lock = threading.Lock()
        client = httpx.Client(base_url=upstream, timeout=60, limits=httpx.Limits(max_connections=64))

        def respond(request: Request) -> Reply:
            with lock:
                self.requests += 1
            time.sleep(delay_s)
            query = f"?{urlencode(request.query)}" if request.query else ""
            answer = client.request(request.verb, request.path + query, content=request.body or None,
                                    headers={"content-type": request.headers.get("content-type", "application/json")})
            retry = {k: v for k, v in answer.headers.items() if k.lower() == "retry-after"}
            return answer.status_code, answer.content, retry

        super().__init__(respond, keep_alive=True, name="delay-proxy")


@contextmanager
def delayed(fleet: Fleet, delay_s: float) -> Iterator[tuple[dict[str, str], list[DelayProxy]]]:
    """The fleet's environment with each endpoint behind a DelayProxy; the proxies (stopped on exit)."""
    env = fleet.env()
    upstreams = {"evm": fleet.evm.url, "solana": fleet.solana.url, "akash": fleet.akash.url}
    proxies = []
    try:
        for variable, family in URL_VARIABLES.items():
            proxy = DelayProxy(upstreams[family], delay_s)
            proxy.start()
            proxies.append(proxy)
            env[variable] = env[variable].replace(upstreams[family], proxy.url)
        yield env, proxies
    finally:
        for proxy in proxies:
            proxy.stop()


@dataclass(frozen=True)
class Ingested:
    """One ingestion of the window: how long, how much, how many requests."""

    workers: int
    seconds: float
    days: int
    rows: int
    requests: int
    calls: int
    each: tuple[float, ...]  # each worker's own seconds
    raw: dict[str, list[tuple]]

    def line(self) -> str:
        label = f"{self.workers} worker{'s' if self.workers > 1 else ''}:"
        each = f" (each: {', '.join(f'{s:.1f}' for s in self.each)} s)" if self.workers > 1 else ""
        return (f"{label:10} {self.seconds:7.1f} s{each} | "
                f"{self.days / self.seconds:5.2f} days/s | {self.rows / self.seconds:8.1f} rows/s ({self.rows} rows) | "
                f"{self.requests} requests, {self.calls} calls")


def _raw_rows(location: str) -> dict[str, list[tuple]]:
    """Every raw table's rows without their write times (to compare two lakes)."""
    from warehouse import Lake
    from warehouse._lake import connect_lake_plain

    conn = connect_lake_plain(Lake(location, None))
    try:
        columns: dict[str, list[str]] = {}
        for table, column in conn.execute("select table_name, column_name from information_schema.columns where "
                                          "table_catalog = 'lake' and table_schema = 'raw' order by table_name, "
                                          "ordinal_position").fetchall():
            if column not in ("fetched_at", "updated_at"):
                columns.setdefault(table, []).append(column)
        return {table: conn.execute(f"select {', '.join(cols)} from raw.{table} order by all").fetchall()
                for table, cols in columns.items()}
    finally:
        conn.close()


def ingest(workers: int, first: date, last: date, *, env: dict[str, str], cluster: Cluster, work: Path,
           fleet: Fleet, proxies: Sequence[DelayProxy], split: str = "auto") -> Ingested:
    """The window into a fresh lake by `workers` worker processes, with a progress line every few seconds."""
    from pipelines.parallel import ingest_in_workers

    name = f"scale_out_{workers}w"
    create_database(cluster, name)
    data = work / name
    (data / "lake").mkdir(parents=True)
    location = f"ducklake:postgres:{cluster.dsn(name)}"
    saved = dict(os.environ)
    os.environ.update(env, DEPINLENS_DATA_DIR=str(data), DEPINLENS_WAREHOUSE=location,
                      DEPINLENS_LAKE_DATA=str(data / "lake"), DEPINLENS_AKASH_SCAN_CLOSED="1")
    os.environ.pop("DAGSTER_HOME", None)  # each worker records its run in an ephemeral instance
    started = told = time.monotonic()

    def progress(states) -> None:
        nonlocal told
        if time.monotonic() - told >= 5 or all(s.returncode is not None for s in states):
            told = time.monotonic()
            print("    " + " | ".join(f"worker {s.share.worker} ({s.share.describe()}): {s.loads} day loads"
                                      + ("" if s.returncode is None else f", exit {s.returncode}") for s in states)
                  + f" | {told - started:.0f} s", flush=True)

    requests, calls = sum(p.requests for p in proxies), fleet.served_calls()
    try:
        results = ingest_in_workers(first, last, workers, split=split, on_progress=progress)
        seconds = time.monotonic() - started
    finally:
        os.environ.clear()
        os.environ.update(saved)
    failed = [r.failure() for r in results if not r.ok]
    if failed:
        raise SystemExit("ingestion failed:\n" + "\n".join(failed))
    raw = _raw_rows(location)
    return Ingested(workers, seconds, (last - first).days + 1,
                    sum(len(rows) for table, rows in raw.items() if table not in BOOKKEEPING),
                    sum(p.requests for p in proxies) - requests, fleet.served_calls() - calls,
                    tuple(r.seconds for r in results), raw)


def bench_ingestion(cluster: Cluster, work: Path, days: int, delay_ms: float, split: str, workers: int = 2) -> float:
    """1 worker, then `workers` (sharing the work as `split` says), over the same delayed chains; returns the
    speedup."""
    first, last = FIRST_DAY, FIRST_DAY + timedelta(days=days - 1)
    registry = load_registry(PROJECT_ROOT / "networks.toml")
    print(f"ingestion: {days} days ({first}..{last}) of Ethereum, Solana and Akash at TEST_VOLUMES, every request "
          f"{delay_ms:g} ms late", flush=True)
    with ExitStack() as stack:
        fleet = stack.enter_context(mainnet_fleet(registry, first, last, volumes=TEST_VOLUMES, limits=NO_LIMITS))
        env, proxies = stack.enter_context(delayed(fleet, delay_ms / 1000))
        runs = []
        for count in (1, workers):
            print(f"  {count} worker{'s' if count > 1 else ''}, into a fresh DuckLake ...", flush=True)
            runs.append(ingest(count, first, last, env=env, cluster=cluster, work=work, fleet=fleet,
                               proxies=proxies, split=split))
            print(f"  {runs[-1].line()}", flush=True)
    one, two = runs
    same = one.raw == two.raw
    print(f"  raw tables of the two lakes identical (without write times): {'yes' if same else 'NO'}")
    if not same:
        differ = sorted(t for t in one.raw if one.raw[t] != two.raw.get(t))
        raise SystemExit(f"the {workers}-worker lake differs from the 1-worker lake in: {', '.join(differ)}")
    return one.seconds / two.seconds


def bench_dbt(cluster: Cluster, work: Path, rows: int) -> float:
    """The synthetic raw layer into a DuckDB file and into a lake; full and one-day builds of each. Returns the
    ratio of the full builds (lake / file)."""
    from pipelines.defs.assets.dbt import DBT_BUILD_ARGS, dbt_window_env

    create_database(cluster, "scale_out_dbt")
    lake = f"ducklake:postgres:{cluster.dsn('scale_out_dbt')}"
    os.environ["DEPINLENS_LAKE_DATA"] = str(work / "dbt_lake")
    times = {}
    print(f"dbt: {rows:,} synthetic token movements (benchmarks/pipeline_scale.py), DuckDB file beside DuckLake",
          flush=True)
    for name, location in (("file", str(work / "dbt_file" / "scale.duckdb")), ("lake", lake)):
        started = time.perf_counter()
        build_raw_layer(location, rows)  # type: ignore[arg-type]  # connect_warehouse takes a lake location too
        setup = time.perf_counter() - started
        target = work / f"dbt_target_{name}"
        dbt_seconds("parse", location, target=target)  # as the pipeline does once its definitions load
        full = dbt_seconds(DBT_BUILD_ARGS[0], location, *DBT_BUILD_ARGS[1:], target=target)
        incremental = dbt_seconds(DBT_BUILD_ARGS[0], location, *DBT_BUILD_ARGS[1:], target=target,
                                  env=dbt_window_env(str(LAST_DAY), str(LAST_DAY)))
        times[name] = full
        print(f"  {name:4}: raw layer {setup:6.1f} s | full build {full:6.1f} s ({rows / full:,.0f} rows/s) | "
              f"one-day incremental {incremental:5.1f} s", flush=True)
    return times["lake"] / times["file"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30, help="partitions (UTC days) to ingest (default 30)")
    parser.add_argument("--delay-ms", type=float, default=50.0, help="delay added to every request (default 50 ms)")
    parser.add_argument("--workers", type=int, default=2, help="workers measured against one (default 2)")
    parser.add_argument("--split", choices=SPLITS, default="auto",
                        help="how the workers share the work (pipelines/parallel.py; default auto, as the CLI)")
    parser.add_argument("--rows", type=int, default=10_000_000, help="synthetic raw rows for the dbt builds "
                                                                      "(default 10M)")
    parser.add_argument("--skip-ingest", action="store_true", help="only the dbt builds")
    parser.add_argument("--skip-dbt", action="store_true", help="only the ingestion")
    args = parser.parse_args()
    if args.workers < 2:
        parser.error("--workers must be at least 2 (they are measured against one)")
    if args.days < 2:
        parser.error("--days must be at least 2 (two workers need a day each)")
    with tempfile.TemporaryDirectory(prefix="scale_out_") as folder:
        work = Path(folder)
        print(f"starting PostgreSQL in {work / 'postgres'} ...", flush=True)
        with local_cluster(work / "postgres", databases=()) as cluster:
            print(f"PostgreSQL on {cluster.host}:{cluster.port}", flush=True)
            speedup = (bench_ingestion(cluster, work, args.days, args.delay_ms, args.split, args.workers)
                       if not args.skip_ingest else None)
            ratio = bench_dbt(cluster, work, args.rows) if not args.skip_dbt else None
        print("PostgreSQL stopped", flush=True)
    if speedup is not None:
        print(f"speedup_{args.workers}_workers: {speedup:.2f}")
    if ratio is not None:
        print(f"dbt_full_build_lake_over_file: {ratio:.2f}")


if __name__ == "__main__":
    main()
