"""dbt build time as the raw layer grows: one year x every registry network at 1M, 5M, 10M rows.

For each size, a fresh DuckDB warehouse gets the registry tables, a year of daily prices and
N synthetic token movements (mints, burns, transfers; exact DECIMAL(38,0) amounts) spread over
365 days and every token of the registry. Then, after the `dbt parse` that the pipeline runs
once when its definitions load (pipelines/defs/dbt_project.py), so that every build finds dbt's
partial parse as a pipeline run does, it times the builds as the pipeline's dbt step runs them
(pipelines/defs/assets/dbt.py): dbt forked from a process that has loaded the pipeline's dbt
definitions (pipelines/defs/dbt_fork.py), with DBT_BUILD_ARGS (unit tests, which run in CI and
not in pipeline runs, and the JSON artifacts no run reads are left out), the views left out when
the warehouse's last whole build had the same project (pipelines/defs/dbt_views.py), dbt's JSON
log lines read through a pipe by dagster-dbt's invocation:
  - a full build (every model and data test, from nothing), and
  - a one-day incremental build: the daily schedule's work, the day as the window in the
    environment.
Baselines of the one-day build, measured in the same run on the same warehouse:
  - the same build as a fresh `dbt build` process (the step ran dbt this way before);
  - dagster-dbt's own resource (`DbtCliResource.cli`, a fresh `dbt` process after a `dbt
    --version` process and a dbt adapter built in the step): the step as it was before;
  - dbt's fixed cost: `dbt parse` on the same target (process start, imports and partial parse,
    no node run), what a fresh dbt process pays before its first model.
It prints rows/s and the scaling exponent b of time ~ rows^b (1.0 = linear).

    .venv/bin/python benchmarks/pipeline_scale.py [--max-rows 10000000]

The last two lines read `incremental_s_at_max: <seconds>` and `full_build_s_at_max: <seconds>`.
Targets on 2 cores (issue #17): at 10M rows, full build within 10 s, one-day incremental within 3 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402

from depinlens.registry import load_registry  # noqa: E402
from depinlens.settings import DBT_PROJECT_DIR, PROJECT_ROOT, environment_restored  # noqa: E402
from pipelines.defs.assets.dbt import DBT_BUILD_ARGS, RUN_ARTIFACTS_LEFT_OUT, dbt_window_env  # noqa: E402
from pipelines.defs.dbt_views import VIEWS_KEPT, project_fingerprint, record_views, views_current  # noqa: E402
from pipelines.defs.assets.registry import registry_rows  # noqa: E402
from warehouse import connect_warehouse, insert_rows  # noqa: E402

SIZES = (1_000_000, 5_000_000, 10_000_000)
LAST_DAY = date(2025, 12, 31)


def build_raw_layer(path: Path, rows: int) -> None:
    """Registry tables, prices and `rows` token movements over 365 days, straight in SQL."""
    registry = load_registry(PROJECT_ROOT / "networks.toml")
    conn = connect_warehouse(path)
    for table, rows_of_table in registry_rows(registry, datetime.now(UTC)).items():  # as the registry asset loads it
        insert_rows(conn, table, rows_of_table)
    tokens = [(t.network, t.chain, t.symbol, t.address, t.decimals) for n in registry.networks.values() for t in n.tokens]
    conn.execute("create temp table tokens (k int, network varchar, chain varchar, symbol varchar, address varchar, "
                 "decimals utinyint)")
    conn.executemany("insert into tokens values (?, ?, ?, ?, ?, ?)", [(i, *t) for i, t in enumerate(tokens)])
    first_day = LAST_DAY - timedelta(days=364)
    conn.execute("""
        insert into raw.token_prices
        select symbol, ? + d::int, 1.0 + (hash(symbol || d) % 100) / 100.0, 'demo', 'pipeline_scale', 'synthetic', now()
        from (select distinct symbol from tokens), range(365) r(d)
    """, [first_day])
    conn.execute(f"""
        insert into raw.token_transfers
        select
            t.network, t.chain, 'demo', t.symbol, t.address, t.decimals,
            case when i % 10 = 0 then 'mint' when i % 10 = 1 then 'burn' else 'transfer' end,
            case when i % 10 = 0 then '0x' || repeat('0', 40) else '0x' || lpad(to_hex(i % 9973), 40, '0') end,
            case when i % 10 = 1 then '0x' || repeat('0', 40) else '0x' || lpad(to_hex(i % 7919), 40, '0') end,
            ((i * 7919) % 1000000000000000000000)::decimal(38, 0),
            i // 50, '0x' || lpad(to_hex(i // 50), 64, '0'),
            (timestamp '{first_day}' + to_seconds((i * 86400 * 365) // {rows}))::timestamptz,
            ('{first_day}'::date + ((i * 365) // {rows})::int),
            '0x' || lpad(to_hex(i), 64, '0'), (i % 50)::int, null, now()
        from range({rows}) r(i)
        join tokens t on t.k = r.i % (select count(*) from tokens)
    """)
    conn.close()


def dbt_seconds(command: str, warehouse: Path | str, *extra: str, env: dict[str, str] | None = None,
                target: Path | None = None) -> float:
    """Run `dbt <command>` on `warehouse` (a DuckDB file, or a lake location: dbt/profiles.yml picks the
    target from it) as the pipeline's dbt asset does (dagster-dbt sets the log path to the run's
    target, asks for JSON log lines on stdout and sends no usage statistics) and return its wall
    time. dbt's target folder is `target`, by default `target/` beside the DuckDB file."""
    dbt = Path(sys.executable).with_name("dbt")
    target = target or Path(warehouse).parent / "target"
    started = time.perf_counter()
    done = subprocess.run([str(dbt), command, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                           str(DBT_PROJECT_DIR), "--target-path", str(target), *extra],
                          env=dict(os.environ, DEPINLENS_WAREHOUSE=str(warehouse), DBT_LOG_PATH=str(target),
                                   DBT_LOG_FORMAT="json", DBT_SEND_ANONYMOUS_USAGE_STATS="false", **(env or {})),
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"dbt {command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


@contextlib.contextmanager
def _dbt_environment(warehouse: Path, target: Path, env: dict[str, str] | None) -> Iterator[None]:
    """This process's environment as a pipeline run's for dbt on `warehouse`, its target folder `target`."""
    values = {"DEPINLENS_WAREHOUSE": str(warehouse), "DBT_TARGET_PATH": str(target), **(env or {})}
    with environment_restored(values):
        os.environ.update(values)
        yield


def step_seconds(warehouse: Path, *, env: dict[str, str] | None = None) -> float:
    """Wall time of a build as the pipeline's dbt step runs it (pipelines/defs/assets/dbt.py): the views
    left out when current, dbt forked by the step's resource, its events read, the build recorded.
    Its target folder is `target/` beside the warehouse, as for `dbt_seconds`."""
    from pipelines.defs.dbt_project import dbt_cli_resource

    resource = dbt_cli_resource()  # a run's resource, as the step gets it
    with _dbt_environment(warehouse, warehouse.parent / "target", env):
        started = time.perf_counter()
        fingerprint = project_fingerprint()
        with contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as conn:  # as read_connection
            keep_views = views_current(conn, fingerprint)
        _finished(resource.cli([*DBT_BUILD_ARGS, *(VIEWS_KEPT if keep_views else [])], raise_on_error=False))
        if not keep_views:
            with contextlib.closing(connect_warehouse(warehouse)) as conn:  # as get_connection
                record_views(conn, fingerprint)
        return time.perf_counter() - started


def dagster_dbt_seconds(warehouse: Path, *, env: dict[str, str] | None = None) -> float:
    """Wall time of a build through dagster-dbt's own resource, as the dbt step ran before this one
    (a `dbt --version` process, a dbt adapter built here, then a `dbt build` process)."""
    from dagster_dbt import DbtCliResource

    from pipelines.defs.dbt_project import _dbt_executable, dbt_project

    resource = DbtCliResource(project_dir=dbt_project, dbt_executable=_dbt_executable())
    with _dbt_environment(warehouse, warehouse.parent / "target", env):
        started = time.perf_counter()
        _finished(resource.cli(DBT_BUILD_ARGS, raise_on_error=False))
        return time.perf_counter() - started


def _finished(invocation: Any) -> Any:
    """`invocation` waited for, its events read (dagster-dbt re-prints them: kept out of this output)."""
    with contextlib.redirect_stdout(io.StringIO()):
        invocation.wait()
    if invocation.process.returncode != 0:
        raise SystemExit(f"dbt build failed (exit {invocation.process.returncode}): {invocation.get_error()}")
    return invocation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-rows", type=int, default=SIZES[-1], help="largest raw size to build (default 10M)")
    args = parser.parse_args()
    sizes = [s for s in SIZES if s <= args.max_rows] or [args.max_rows]
    results = []
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            warehouse = Path(tmp) / "scale.duckdb"
            started = time.perf_counter()
            build_raw_layer(warehouse, rows)
            setup_s = time.perf_counter() - started
            dbt_seconds("parse", warehouse)  # as the pipeline does once its definitions load
            full_s = step_seconds(warehouse)
            window = dbt_window_env(str(LAST_DAY), str(LAST_DAY))
            incremental_s = step_seconds(warehouse, env=window)
            process_s = dbt_seconds(DBT_BUILD_ARGS[0], warehouse, *DBT_BUILD_ARGS[1:], env=window)
            dagster_dbt_s = dagster_dbt_seconds(warehouse, env=window)
            fixed_s = dbt_seconds("parse", warehouse, *RUN_ARTIFACTS_LEFT_OUT, env=window)
            results.append((rows, full_s, incremental_s))
            print(f"{rows:>11,} rows: raw layer {setup_s:6.1f} s | full build {full_s:6.1f} s "
                  f"({rows / full_s:,.0f} rows/s) | one-day incremental {incremental_s:5.1f} s", flush=True)
            print(f"{'':17}baselines of the one-day build: a fresh `dbt build` process {process_s:4.1f} s | "
                  f"through dagster-dbt's resource {dagster_dbt_s:4.1f} s | dbt start + partial parse alone "
                  f"{fixed_s:4.1f} s", flush=True)
    if len(results) > 1:
        (r0, t0, _), (r1, t1, _) = results[0], results[-1]
        print(f"scaling exponent (full build, {r0:,} -> {r1:,} rows): {math.log(t1 / t0) / math.log(r1 / r0):.2f}")
    print(f"incremental_s_at_max: {results[-1][2]:.1f}")
    print(f"full_build_s_at_max: {results[-1][1]:.1f}")


if __name__ == "__main__":
    main()
