"""Every dashboard page's queries against a published serving file built from the
10M-row warehouse of benchmarks/pipeline_scale.py: p50 and p95 latency per query.

Queries run through warehouse.queries on a read-only connection to the serving file, as the
pages do, but without Streamlit's cache (a cache hit is free; this measures the misses).
The baseline printed beside each query is a plain `select count(*)` on the same connection.

    .venv/bin/python benchmarks/dashboard_queries.py [--rows 10000000] [--repeats 30]

The last line reads `p95_ms: <number>` (target: under 150).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pipeline_scale import LAST_DAY, build_raw_layer, dbt_seconds  # noqa: E402
from pipelines.defs.assets.dbt import DBT_BUILD_ARGS  # noqa: E402
from warehouse import connect_serving, publish, queries  # noqa: E402


def page_queries(networks: list[str], gpu: str | None) -> dict[str, tuple]:
    """The calls each page makes on first render (name -> (function, kwargs))."""
    start, end = LAST_DAY - timedelta(days=29), LAST_DAY
    window = {"networks": networks, "start": start, "end": end}
    return {
        "networks": (queries.networks, {}),
        "network_summary (overview, staking)": (queries.network_summary, window),
        "network_daily (revenue, utilization)": (queries.network_daily, window),
        "network_daily (all days, filters)": (queries.network_daily, {}),
        "gpu_prices": (queries.gpu_prices, {}),
        "latest_gpu_price_by_venue": (queries.latest_gpu_price_by_venue, {"gpu_models": [gpu] if gpu else []}),
        "benchmark_results": (queries.benchmark_results, {}),
        "cost_per_compute": (queries.cost_per_compute, {}),
        "claims_vs_evidence": (queries.claims_vs_evidence, {"networks": networks}),
        "token_flows_daily": (queries.token_flows_daily, window),
        "freshness": (queries.freshness, {}),
        "network_dim": (queries.network_dim, {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000, help="raw token movements (default 10M)")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warehouse, serving = Path(tmp) / "scale.duckdb", Path(tmp) / "serving.duckdb"
        started = time.perf_counter()
        build_raw_layer(warehouse, args.rows)
        dbt_seconds("parse", warehouse)  # as the pipeline does once its definitions load
        dbt_seconds(DBT_BUILD_ARGS[0], warehouse, *DBT_BUILD_ARGS[1:])  # the full build, as the pipeline runs it
        publish(warehouse, serving)
        print(f"built and published a {args.rows:,}-row warehouse in {time.perf_counter() - started:.0f} s")
        conn = connect_serving(serving)
        networks = queries.networks(conn)
        gpu = next(iter(queries.gpu_models(conn)), None)
        baseline = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            conn.cursor().execute("select count(*) from marts.network_daily").fetchone()
            baseline.append((time.perf_counter() - t) * 1000)
        every = []
        print(f"{'query':45} {'p50 ms':>8} {'p95 ms':>8}")
        for name, (function, kwargs) in page_queries(networks, gpu).items():
            times = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                function(conn.cursor(), **kwargs)
                times.append((time.perf_counter() - t) * 1000)
            every += times
            print(f"{name:45} {statistics.median(times):8.1f} {statistics.quantiles(times, n=20)[18]:8.1f}")
        print(f"{'baseline: select count(*)':45} {statistics.median(baseline):8.1f} "
              f"{statistics.quantiles(baseline, n=20)[18]:8.1f}")
        p50, p95 = statistics.median(every), statistics.quantiles(every, n=20)[18]
        print(f"all page queries: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
              f"({p95 / statistics.median(baseline):.0f}x the count(*) baseline)")
        print(f"p95_ms: {p95:.1f}")


if __name__ == "__main__":
    main()
