"""db-benchmark-style data and queries, written once for polars and once for the pandas API.

Data: `rows` rows of x (id1 low-cardinality string, id2 medium-cardinality int, id3
high-cardinality int, v1/v2 ints, v3 float) and a small dimension table y keyed by id1, as in
h2oai/db-benchmark's groupby and join tasks. The pandas functions take the pandas module as an
argument so the cudf.pandas worker runs the very same code on its accelerated pandas.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

QUERIES: tuple[str, ...] = ("groupby_q1", "groupby_q2", "groupby_q3", "join_q1")


def generate(rows: int, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Column arrays of x and y (numpy), deterministic for a seed."""
    import numpy as np

    rng = np.random.default_rng(seed)
    k = 100
    ids = np.array([f"id{i:03d}" for i in range(k)])
    x = {
        "id1": ids[rng.integers(0, k, rows)],
        "id2": rng.integers(0, max(rows // 1000, 1), rows),
        "id3": rng.integers(0, max(rows // 10, 1), rows),
        "v1": rng.integers(1, 6, rows),
        "v2": rng.integers(1, 16, rows),
        "v3": rng.random(rows) * 100,
    }
    y = {"id1": ids, "w": rng.random(k)}
    return x, y


def polars_queries(x: Any, y: Any) -> dict[str, Any]:
    """LazyFrames over polars DataFrames x and y."""
    import polars as pl

    lx, ly = x.lazy(), y.lazy()
    return {
        "groupby_q1": lx.group_by("id1").agg(pl.col("v1").sum()),
        "groupby_q2": lx.group_by("id1", "id2").agg(pl.col("v1").sum()),
        "groupby_q3": lx.group_by("id3").agg(pl.col("v1").sum(), pl.col("v3").mean()),
        "join_q1": lx.join(ly, on="id1", how="inner"),
    }


def pandas_queries(pd: Any, x: Any, y: Any) -> dict[str, Callable[[], Any]]:
    """Callables over pandas (or cudf.pandas) DataFrames x and y."""
    del pd  # same API under cudf.pandas; kept so callers say which pandas they mean
    return {
        "groupby_q1": lambda: x.groupby("id1", sort=False).agg({"v1": "sum"}),
        "groupby_q2": lambda: x.groupby(["id1", "id2"], sort=False).agg({"v1": "sum"}),
        "groupby_q3": lambda: x.groupby("id3", sort=False).agg({"v1": "sum", "v3": "mean"}),
        "join_q1": lambda: x.merge(y, on="id1", how="inner"),
    }
