"""Block heights and times over the Cosmos REST gateway: parse a header, find a day's heights.

Lease heights become times and UTC days here. Days are found by searching block headers
(starting from a guess made with the average block time, so a pruned node is never asked
for ancient blocks), and each height's time is the time its header states.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta

from pipelines.chains.errors import MalformedResponse

# Akash's own docs state "6.088 block time" (../shared/fixtures/akash/akashdocs_provider-earnings.md,
# akash-network/docs @ f4d55c36); recorded heights give 6.0-6.1 s. Only a first guess for searching
# heights and a fallback for a day not measured yet: each day's seconds per block is measured from
# the headers of its first and last block (raw.block_days) and the marts use that.
AKASH_SECONDS_PER_BLOCK = 6.088

_RFC3339 = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$")


def parse_block_time(value: object) -> datetime:
    """An RFC 3339 header time with up to nanoseconds ("2025-06-01T00:00:06.174000000Z"), to microseconds.

    Raises:
        ValueError: the value is not such a time.
    """
    match = _RFC3339.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{value!r:.60} is not an RFC 3339 time")
    whole, fraction, zone = match.groups()
    micros = (fraction or "").ljust(6, "0")[:6]
    stamp = datetime.fromisoformat(f"{whole}.{micros}{'+00:00' if zone == 'Z' else zone}")
    return stamp.astimezone(UTC)


def parse_block_header(answer: object, *, chain: str, method: str) -> tuple[int, datetime]:
    """(height, time) of a `/cosmos/base/tendermint/v1beta1/blocks/...` answer."""
    try:
        header = answer["block"]["header"]  # type: ignore[index]
        height = int(header["height"])
        return height, parse_block_time(header["time"])
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedResponse(f"not a block answer with header.height and header.time ({exc})", chain=chain,
                                method=method) from None


def day_start(day: date) -> datetime:
    """00:00 UTC of `day`."""
    return datetime.combine(day, time(), tzinfo=UTC)


SECANT_STEPS = 3  # re-estimates from the headers just read, before bracketing the last estimate


def first_height_at_or_after(moment: datetime, *, latest: tuple[int, datetime], earliest: int,
                             time_of: Callable[[int], datetime],
                             seconds_per_block: float = AKASH_SECONDS_PER_BLOCK,
                             known: Mapping[int, datetime] | None = None) -> int:
    """The lowest height in [earliest, latest + 1] whose block time is >= `moment`.

    `latest + 1` means no block yet; `earliest` is the first height the node serves. Every
    header read is one round trip (and one request of a public endpoint's budget), so:

    1. Heights already known answer alone: when the known heights hold the block before
       `moment` and the one at or after it (yesterday's search read the start of today),
       nothing is read.
    2. Secant steps: from the known height nearest in time, estimate the height at the
       average block time and read it; then re-estimate at the seconds per block between the
       last two headers and read again, up to SECANT_STEPS reads. Block times
       are nearly linear in height, so the estimate lands within a block or two of the
       answer after one or two steps; the average block time alone misses by ~1% of the
       distance (about 140 blocks a day away).
    3. Bracket the estimate by galloping outwards (2, 4, 8, … blocks), then bisect: exact for
       any non-decreasing block times, whatever the estimate was worth.

    About 3 header reads a day on the harness' mainnet-shaped Akash chain, where bisecting
    from the average block time took 12-13 (tests/test_akash_heights.py).
    """
    head, head_time = latest
    if moment > head_time:
        return head + 1
    times = dict(known or {})
    times[head] = head_time

    def read(height: int) -> datetime:
        if height not in times:
            times[height] = time_of(height)
        return times[height]

    before = max((h for h, t in times.items() if earliest <= h <= head and t < moment), default=None)
    after = min((h for h, t in times.items() if earliest <= h <= head and t >= moment), default=head)
    if before is not None and after == before + 1:
        return after
    floor = earliest if before is None else before + 1  # the answer lies in [floor, after]

    anchor = min((h for h in times if earliest <= h <= head),
                 key=lambda h: (abs((times[h] - moment).total_seconds()), -h))
    rate = seconds_per_block
    guess = anchor
    for _ in range(SECANT_STEPS):
        estimate = guess - round((times[guess] - moment).total_seconds() / rate)
        estimate = min(max(estimate, floor), after)
        if estimate == guess or estimate in times:
            guess = estimate
            break
        read(estimate)
        elapsed = (times[estimate] - times[guess]).total_seconds() / (estimate - guess)
        rate = elapsed if elapsed > 0 else rate  # equal times (a stalled chain) say nothing about the rate
        guess = estimate
    return _bracket_and_bisect(moment, guess, floor, after, read)


def _bracket_and_bisect(moment: datetime, guess: int, floor: int, after: int,
                        read: Callable[[int], datetime]) -> int:
    """The lowest height in [floor, after] with time >= `moment`, given that `after` qualifies.

    Gallops outwards from `guess` in doubling steps until the answer is bracketed, then bisects.
    """
    step = 2
    if read(guess) >= moment:
        hi, lo = guess, guess - 1  # invariant: time(hi) >= moment; find lo < floor or with time(lo) < moment
        while lo >= floor and read(lo) >= moment:
            hi, lo, step = lo, lo - step, step * 2
        lo = max(lo, floor - 1)  # floor - 1 stands for "before the answer's range"
    else:
        lo, hi = guess, guess + 1  # invariant: time(lo) < moment; find hi with time(hi) >= moment
        while hi < after and read(hi) < moment:
            lo, hi, step = hi, hi + step, step * 2
        hi = min(hi, after)
    while hi - lo > 1:  # time(lo) < moment <= time(hi), lo = floor - 1 standing for "earlier"
        middle = (lo + hi) // 2
        if read(middle) >= moment:
            hi = middle
        else:
            lo = middle
    return hi


def heights_of_days(first_day: date, last_day: date, *, latest: tuple[int, datetime], earliest: int,
                    time_of: Callable[[int], datetime],
                    known: Mapping[int, datetime] | None = None) -> tuple[int, int] | None:
    """Heights of the blocks made on UTC days first_day..last_day (None when there are none)."""
    first = first_height_at_or_after(day_start(first_day), latest=latest, earliest=earliest, time_of=time_of,
                                     known=known)
    after = first_height_at_or_after(day_start(last_day + timedelta(days=1)), latest=latest, earliest=earliest,
                                     time_of=time_of, known=known)
    return (first, after - 1) if after > first else None
