"""Small helpers the suites share: build a figure from its work and timing, flag the best of a sweep."""

from __future__ import annotations

from collections.abc import Mapping

from gpu_bench.schema import UNIT_OF_WORK, UNIT_SCALE, Measurement, Param, Skipped, Stats


def figure(*, suite: str, metric: str, engine: str, device: str, work: float, unit: str, stats: Stats,
           precision: str | None = None, params: Mapping[str, Param] | None = None) -> Measurement:
    """A Measurement whose value is work / median, in `unit`."""
    return Measurement(
        suite=suite, metric=metric, precision=precision, engine=engine, device=device,
        params=dict(params or {}), work=float(work), work_unit=UNIT_OF_WORK[unit],
        value=float(work) / stats.median_s / UNIT_SCALE[unit], unit=unit, stats=stats,
    )


def mark_best(measurements: list[Measurement]) -> list[Measurement]:
    """Flag the highest value of each (suite, metric, precision, engine) group of a sweep."""
    best: dict[tuple, int] = {}
    for i, m in enumerate(measurements):
        key = (m.suite, m.metric, m.precision, m.engine)
        if key not in best or m.value > measurements[best[key]].value:
            best[key] = i
    winners = set(best.values())
    return [m.model_copy(update={"best_of_sweep": i in winners}) for i, m in enumerate(measurements)]


def note_skip(skipped: list[Skipped] | None, *, suite: str, what: str, reason: str, engine: str | None = None) -> None:
    """Record work not done (when the caller collects skips)."""
    if skipped is not None:
        skipped.append(Skipped(suite=suite, what=what, engine=engine, reason=reason))


def is_cuda(device: str) -> bool:
    return device.startswith("cuda")
