"""Warehouse connections of one run on a large DuckDB file: the integrity check on every open against once.

A run opens a read-write connection for each piece of work (a one-day ingestion of the registry's
chains: 11), and `connect_warehouse` checks the file before anything writes (warehouse/_integrity.py:
every table's storage metadata, ~100 ms at 10M rows). A file this process closed and nobody has
touched since is not checked again (`warehouse._connect.close_checked`). Both ways are timed on
benchmarks/pipeline_scale.py's synthetic raw layer:

* baseline: each connection opened, used (one read) and closed as before: checked every time;
* depinlens: the same through `WarehouseConnections.connect`/`release`, as the pipeline's resource
  does: checked on the first only.

The last line reads `ratio: <baseline seconds / depinlens seconds>`.

    .venv/bin/python benchmarks/warehouse_connections.py [--rows 10000000] [--connections 11] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._timing import best_of  # noqa: E402
from benchmarks.pipeline_scale import build_raw_layer  # noqa: E402
from warehouse import WarehouseConnections  # noqa: E402
from warehouse import _connect  # noqa: E402


def connections(path: Path, count: int, *, remember: bool) -> None:
    """`count` connections, each with one read, closed as before (`remember` False) or released."""
    _connect._left_intact.clear()  # noqa: SLF001 - each timing starts from a process that has not closed it yet
    pool = WarehouseConnections(path)
    for _ in range(count):
        conn = pool.connect()
        conn.execute("select count(*) from raw.ingest_days").fetchone()
        if remember:
            pool.release(conn)
        else:
            conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000, help="synthetic token movements (default 10M)")
    parser.add_argument("--connections", type=int, default=11, help="connections a run opens (default 11, a "
                                                                     "one-day ingestion of the registry's chains)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="warehouse_connections_") as folder:
        path = Path(folder) / "warehouse.duckdb"
        started = time.perf_counter()
        build_raw_layer(path, args.rows)
        print(f"raw layer: {args.rows:,} token movements, {path.stat().st_size / 1e6:,.0f} MB, "
              f"built in {time.perf_counter() - started:.1f} s", flush=True)
        before = best_of(args.repeats, lambda: connections(path, args.connections, remember=False))
        after = best_of(args.repeats, lambda: connections(path, args.connections, remember=True))
    print(f"baseline (checked on every open):   {before * 1e3:8.0f} ms for {args.connections} connections")
    print(f"depinlens (checked on the first):   {after * 1e3:8.0f} ms for {args.connections} connections")
    print(f"ratio: {before / after:.2f}")


if __name__ == "__main__":
    main()
