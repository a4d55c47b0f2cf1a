"""Finding a UTC day's heights from block headers: exact for any non-decreasing block times, and few reads.

Each header read is one round trip to the Akash REST gateway and one request of a public
endpoint's budget, so the search is held to its read count as well as to its answers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.mainnet._akash_chain import AkashChain
from pipelines.chains.cosmos._blocks import day_start, first_height_at_or_after, heights_of_days

EPOCH = datetime(2025, 5, 1, tzinfo=UTC)


class Headers:
    """Block times by height, counting the reads the search makes."""

    def __init__(self, first_height: int, seconds: list[float]) -> None:
        self.first_height = first_height
        self.times = [EPOCH + timedelta(seconds=s) for s in seconds]
        self.reads: list[int] = []

    @property
    def head(self) -> int:
        return self.first_height + len(self.times) - 1

    def time_of(self, height: int) -> datetime:
        assert self.first_height <= height <= self.head, f"read of height {height} outside the chain"
        self.reads.append(height)
        return self.times[height - self.first_height]

    def answer(self, moment: datetime, earliest: int) -> int:
        """The lowest height in [earliest, head + 1] whose time is >= moment, by looking at every block."""
        return next((h for h in range(earliest, self.head + 1) if self.time_of_quietly(h) >= moment), self.head + 1)

    def time_of_quietly(self, height: int) -> datetime:
        return self.times[height - self.first_height]


@st.composite
def chains(draw: st.DrawFn) -> tuple[Headers, int, datetime, dict[int, datetime]]:
    """A chain with runs of blocks at different rates (stalls included: equal times), a first height it
    serves, a moment to search for (before, inside or after the chain) and some heights already known."""
    gaps: list[float] = []
    for _ in range(draw(st.integers(1, 6))):
        seconds = draw(st.sampled_from([0.0, 0.5, 6.088, 6.3, 60.0]))
        gaps += [seconds] * draw(st.integers(1, 300))
    jitter = draw(st.lists(st.floats(0, 0.6), min_size=len(gaps), max_size=len(gaps)))
    seconds, clock = [], 0.0
    for gap, wobble in zip(gaps, jitter, strict=True):
        clock += gap
        seconds.append(clock + (wobble if gap else 0.0))
    seconds = [max(seconds[: i + 1]) for i in range(len(seconds))]  # never earlier than the block before
    headers = Headers(draw(st.integers(1, 10**7)), seconds)
    earliest = draw(st.integers(headers.first_height, headers.head))
    moment = EPOCH + timedelta(seconds=draw(st.floats(-100, seconds[-1] + 100)))
    known_heights = draw(st.lists(st.integers(earliest, headers.head), max_size=6))
    known = {h: headers.time_of_quietly(h) for h in known_heights}
    return headers, earliest, moment, known


@settings(max_examples=400, deadline=None)
@given(chains())
def test_the_search_finds_the_first_block_at_or_after_the_moment_on_any_chain(case) -> None:
    headers, earliest, moment, known = case
    found = first_height_at_or_after(moment, latest=(headers.head, headers.time_of_quietly(headers.head)),
                                     earliest=earliest, time_of=headers.time_of, known=known)
    assert found == headers.answer(moment, earliest)
    assert all(earliest <= h <= headers.head for h in headers.reads)  # never below what the node serves
    assert len(set(headers.reads)) == len(headers.reads)  # no header read twice


def test_a_boundary_whose_both_sides_are_known_costs_no_read() -> None:
    headers = Headers(100, [6.0 * i for i in range(1000)])
    moment = headers.time_of_quietly(500) - timedelta(seconds=1)
    known = {499: headers.time_of_quietly(499), 500: headers.time_of_quietly(500)}
    found = first_height_at_or_after(moment, latest=(headers.head, headers.time_of_quietly(headers.head)),
                                     earliest=100, time_of=headers.time_of, known=known)
    assert (found, headers.reads) == (500, [])


def test_consecutive_days_on_a_mainnet_shaped_chain_cost_a_few_reads_each() -> None:
    """The harness' Akash chain: 6.088 s +- 1% a block, a different rate each day, 0.6 blocks of jitter."""
    first, last = date(2025, 5, 1), date(2025, 5, 30)
    chain = AkashChain(first, last, seed=7, active_leases=10, created_per_day=1, closed_per_day=1, providers=2,
                       closed_history=1)
    known: dict[int, datetime] = {}
    reads: list[int] = []

    def time_of(height: int) -> datetime:
        reads.append(height)
        known[height] = datetime.fromtimestamp(chain.time_ns(height) / 1e9, UTC)
        return known[height]

    latest = (chain.head, time_of(chain.head))
    reads.clear()
    per_day = []
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        before = len(reads)
        span = heights_of_days(day, day, latest=latest, earliest=1, time_of=time_of, known=dict(known))
        assert span == chain.day_heights(day), day
        assert known[span[0]] >= day_start(day) > known.get(span[0] - 1, day_start(day) - timedelta(days=1))
        per_day.append(len(reads) - before)
    assert sum(per_day) <= 4 * len(per_day), per_day  # 12-13 a day when bisecting from the average block time
    assert max(per_day[1:]) <= 6, per_day  # the first day starts from the head, days away
