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


def first_height_at_or_after(moment: datetime, *, latest: tuple[int, datetime], earliest: int,
                             time_of: Callable[[int], datetime],
                             seconds_per_block: float = AKASH_SECONDS_PER_BLOCK,
                             known: Mapping[int, datetime] | None = None) -> int:
    """The lowest height in [earliest, latest + 1] whose block time is >= `moment`.

    `latest + 1` means no block yet; `earliest` is the first height the node serves. Starts
    from a guess (from the nearest known height, e.g. yesterday's boundary, at the average block
    time) and gallops outwards until the answer is bracketed, then bisects: a handful of header
    reads next to a known height, a few dozen on a chain of tens of millions of blocks.
    """
    head, head_time = latest
    if moment > head_time:
        return head + 1
    anchor, anchor_time = head, head_time
    for height, stamp in (known or {}).items():
        if earliest <= height <= head and abs((stamp - moment).total_seconds()) < abs((anchor_time - moment).total_seconds()):
            anchor, anchor_time = height, stamp
    guess = anchor - int((anchor_time - moment).total_seconds() / seconds_per_block)
    guess = min(max(guess, earliest), head)
    step = 16 if known else 64
    if time_of(guess) >= moment:
        hi, lo = guess, guess - step  # invariant: time(hi) >= moment; find lo with time(lo) < moment
        while lo >= earliest and time_of(lo) >= moment:
            hi, step = lo, step * 2
            lo = hi - step
        if lo < earliest:
            if time_of(earliest) >= moment:
                return earliest
            lo = earliest
    else:
        lo, hi = guess, guess + step  # invariant: time(lo) < moment; find hi with time(hi) >= moment
        while hi <= head and time_of(hi) < moment:
            lo, step = hi, step * 2
            hi = lo + step
        hi = min(hi, head + 1)
    while hi - lo > 1:  # time(lo) < moment <= time(hi), with head + 1 standing for "later"
        middle = (lo + hi) // 2
        if time_of(middle) >= moment:
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
