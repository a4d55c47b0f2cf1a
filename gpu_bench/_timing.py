"""Timing through torch.utils.benchmark: explicit warm-up, blocked repetitions, median and p5/p95.

`Timer` synchronizes CUDA around each timed block and sizes blocks so timer overhead is
negligible; the PyTorch docs recommend its median. We add the percentiles the result schema
records, computed over the same per-call block times as the median.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gpu_bench.schema import Stats


@dataclass(frozen=True)
class SuiteConfig:
    """How hard to measure: `quick` picks tiny sizes (tests, smoke runs); the rest tunes the timer."""

    quick: bool = False
    warmup: int = 3
    min_run_time_s: float = 1.0
    seed: int = 0
    min_reps: int = 5

    @classmethod
    def for_mode(cls, quick: bool) -> SuiteConfig:
        """Defaults per mode: a quick run spends about 20 ms timing each figure, a full one a second."""
        return cls(quick=True, warmup=1, min_run_time_s=0.02) if quick else cls()


def quantile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated quantile (numpy's default) of already sorted values."""
    position = (len(sorted_values) - 1) * q
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    a, b = sorted_values[low], sorted_values[high]
    return min(max(a + (b - a) * (position - low), a), b)  # clamped: rounding never breaks the order


def measure(fn: Callable[[], object], config: SuiteConfig, *, label: str = "") -> Stats:
    """Time `fn` (which must do its own device work; CUDA is synchronized by the Timer).

    Args:
        fn: the call to time.
        config: warm-up count and minimum timed duration.
        label: shown in torch's Measurement repr (debugging).

    Returns:
        Per-call stats over the timed blocks.
    """
    import torch
    from torch.utils.benchmark import Timer

    for _ in range(config.warmup):
        fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    timer = Timer(stmt="fn()", globals={"fn": fn}, label=label, num_threads=torch.get_num_threads())
    measurement = timer.blocked_autorange(min_run_time=config.min_run_time_s)
    times = list(measurement.times)
    # The Timer sizes a block so its own overhead is below 1e-4 of it; where that overhead is large
    # (seen on a virtualised H200 host) one block can outlast min_run_time, leaving a single time and
    # percentiles equal to the median. Time more blocks of the same size until there are min_reps.
    while len(times) < config.min_reps:
        times += timer.timeit(measurement.number_per_run).times
    times.sort()
    return Stats(
        warmup=config.warmup,
        reps=len(times),
        calls_per_rep=measurement.number_per_run,
        median_s=quantile(times, 0.5),
        p5_s=quantile(times, 0.05),
        p95_s=quantile(times, 0.95),
        min_s=times[0],
        max_s=times[-1],
    )
