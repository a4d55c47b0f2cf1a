"""Dataframe throughput (rows/s): db-benchmark-style groupby and join on generated data.

Engines, each recorded as what really ran:
- `polars-cpu`: polars' in-memory CPU engine (always).
- `pandas-cpu`: plain pandas (always; the baseline cudf.pandas accelerates).
- `cudf-polars`: the same polars query through `pl.GPUEngine(raise_on_fail=True)` (CUDA device and
  cudf-polars installed); a query the GPU engine cannot run raises instead of quietly running on the
  CPU. Input frames live in host memory, so each collect includes the host→device transfer.
- `cudf.pandas` (or `cudf.pandas-cpu-fallback`): the pandas code in a separate process under
  cudf.pandas, data created on the device (see _cudf_pandas_worker).
An engine that cannot run is listed in `skipped` with the reason, never replaced by another.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

from gpu_bench._df_queries import generate, pandas_queries, polars_queries
from gpu_bench._figures import figure, is_cuda, note_skip
from gpu_bench._timing import SuiteConfig, measure
from gpu_bench.schema import Measurement, Skipped


class EngineFailed(RuntimeError):
    """A GPU dataframe engine was available but failed; the message says which and why."""


def rows_for(device: str, quick: bool) -> int:
    """Rows of x: 20 thousand in quick mode, 10 million otherwise (db-benchmark's 0.5 GB size)."""
    return 20_000 if quick else 10_000_000


def run(device: str, config: SuiteConfig, skipped: list[Skipped] | None = None) -> list[Measurement]:
    """Time every query on every engine that can run here."""
    import pandas as pd
    import polars as pl

    rows = rows_for(device, config.quick)
    x_cols, y_cols = generate(rows, config.seed)
    x_pl, y_pl = pl.DataFrame(x_cols), pl.DataFrame(y_cols)
    measurements: list[Measurement] = []

    def add(name: str, engine: str, on: str, stats, data_on: str) -> None:
        measurements.append(figure(suite="dataframe", metric=f"{name}_rows_per_s", engine=engine, device=on,
                                   work=rows, unit="rows/s", stats=stats,
                                   params={"rows": rows, "query": name, "data_on": data_on,
                                           "polars": pl.__version__, "pandas": pd.__version__}))

    for name, lazy in polars_queries(x_pl, y_pl).items():
        add(name, "polars-cpu", "cpu", measure(lambda q=lazy: q.collect(engine="in-memory"), config,
                                               label=f"polars {name}"), "host")
    x_pd, y_pd = pd.DataFrame(x_cols), pd.DataFrame(y_cols)
    for name, query in pandas_queries(pd, x_pd, y_pd).items():
        add(name, "pandas-cpu", "cpu", measure(query, config, label=f"pandas {name}"), "host")

    if not is_cuda(device):
        for engine in ("cudf-polars", "cudf.pandas"):
            note_skip(skipped, suite="dataframe", what=f"{engine} groupby/join", engine=engine,
                      reason="no CUDA device: cuDF engines run only on a GPU")
        return measurements

    if importlib.util.find_spec("cudf_polars") is None:
        note_skip(skipped, suite="dataframe", what="cudf-polars groupby/join", engine="cudf-polars",
                  reason="cudf-polars is not installed (install gpu_bench's gpu extra: docs/gpu_bench.md)")
    else:
        gpu = pl.GPUEngine(device=_index(device), raise_on_fail=True)
        for name, lazy in polars_queries(x_pl, y_pl).items():
            try:
                stats = measure(lambda q=lazy: q.collect(engine=gpu), config, label=f"cudf-polars {name}")
            except Exception as exc:  # noqa: BLE001 - recorded, never replaced by a CPU figure
                note_skip(skipped, suite="dataframe", what=f"cudf-polars {name}", engine="cudf-polars",
                          reason=f"GPU engine refused the query ({type(exc).__name__}: {str(exc)[:300]})")
                continue
            add(name, "cudf-polars", device, stats, "host")

    if importlib.util.find_spec("cudf") is None:
        note_skip(skipped, suite="dataframe", what="cudf.pandas groupby/join", engine="cudf.pandas",
                  reason="cudf is not installed (install gpu_bench's gpu extra: docs/gpu_bench.md)")
    else:
        try:
            measurements += run_cudf_pandas(device, config, rows)
        except EngineFailed as exc:
            note_skip(skipped, suite="dataframe", what="cudf.pandas groupby/join", engine="cudf.pandas",
                      reason=str(exc))
    return measurements


def run_cudf_pandas(device: str, config: SuiteConfig, rows: int) -> list[Measurement]:
    """The pandas queries under cudf.pandas, in a child process pinned to `device`."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    physical = visible.split(",")[_index(device)] if visible else str(_index(device))
    args = {"rows": rows, "device": device, "quick": config.quick, "warmup": config.warmup,
            "min_run_time_s": config.min_run_time_s, "seed": config.seed}
    done = subprocess.run([sys.executable, "-m", "gpu_bench._cudf_pandas_worker", json.dumps(args)],
                          capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "CUDA_VISIBLE_DEVICES": physical})
    if done.returncode != 0:
        raise EngineFailed(f"cudf.pandas worker exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return [Measurement.model_validate(m) for m in json.loads(done.stdout.strip().splitlines()[-1])]


def _index(device: str) -> int:
    return int(device.split(":")[1]) if ":" in device else 0
