"""JSON-RPC access to an EVM node through the project's HTTP layer (pipelines/http).

We read the node's raw JSON answer instead of web3.py's formatted objects: the decoder works
column-wise on the wire format, and web3's per-log formatting would cost more than the whole
decode. `eth_getLogs` answers go further: their bytes become Arrow columns directly
(`get_log_columns`), with no Python object per log. Block times are cached, and the block of a moment is found by interpolation search
seeded with every block time already known (this run's, and the day boundaries stored by
earlier runs), so finding a day's blocks costs a handful of calls however long the chain is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

import httpx
import pyarrow as pa

from pipelines.chains.errors import MalformedResponse
from pipelines.chains.evm._wire import logs_table
from pipelines.http import UNLIMITED, Budget, Endpoint, JsonRpc

TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
Item = TypeVar("Item")
Result = TypeVar("Result")


class EvmClient:
    """One EVM node over HTTP.

    Args:
        chain: registry id of the chain (used in errors and rows).
        rpc_url: the node's HTTP JSON-RPC URL (may carry an API key: errors show scheme and host only).
        budget: request windows, concurrency and batch size (pipelines.http.Budget).
        timeout_s: per-request timeout.
        max_attempts: tries per request for transient failures (timeouts, 5xx, bad JSON).
        max_wait_s: upper bound of one exponential-backoff wait (with jitter).
        transport: an httpx transport instead of the network (tests).
    """

    def __init__(self, chain: str, rpc_url: str, *, budget: Budget = UNLIMITED, timeout_s: float = 30.0,
                 max_attempts: int = 5, max_wait_s: float = 8.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.chain = chain
        self.endpoint = Endpoint(chain, rpc_url, budget=budget, timeout_s=timeout_s, max_attempts=max_attempts,
                                 max_wait_s=max_wait_s, transport=transport)
        self.rpc = JsonRpc(self.endpoint)
        self.label = self.endpoint.label
        self._timestamps: dict[int, int] = {}

    def close(self) -> None:
        self.endpoint.close()

    def __enter__(self) -> EvmClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, params: list[Any], *, detail: str = "") -> Any:
        """Call `method`, retrying transient failures and rate limits, and return the JSON-RPC `result`."""
        return self.rpc.call(method, params, detail=detail)

    def map_concurrently(self, work: Callable[[Item], Result], items: Iterable[Item]) -> list[Result]:
        """`work` on every item, within the endpoint's concurrency bound, results in order."""
        return self.endpoint.map_concurrently(work, items)

    def _hex_int(self, value: Any, method: str, detail: str) -> int:
        if not isinstance(value, str) or not value.startswith("0x"):
            raise MalformedResponse(f"expected a hex quantity, got {value!r:.80}", chain=self.label, method=method,
                                    detail=detail)
        try:
            return int(value, 16)
        except ValueError:
            raise MalformedResponse(f"expected a hex quantity, got {value!r:.80}", chain=self.label,
                                    method=method, detail=detail) from None

    def block_number(self) -> int:
        """Height of the node's latest block."""
        return self._hex_int(self.call("eth_blockNumber", []), "eth_blockNumber", "")

    # -- block times --------------------------------------------------------------------------

    def remember_block_times(self, times: Mapping[int, int]) -> None:
        """Block times known from elsewhere (day boundaries stored by earlier runs): no need to ask again."""
        self._timestamps.update(times)

    def known_block_times(self) -> dict[int, int]:
        return dict(self._timestamps)

    def _time_of(self, block: Any, number: int) -> int:
        detail = f"block {number}"
        if not isinstance(block, dict):
            raise MalformedResponse(f"block {number} not found or not an object", chain=self.label,
                                    method="eth_getBlockByNumber", detail=detail)
        return self._hex_int(block.get("timestamp"), "eth_getBlockByNumber", detail)

    def block_timestamp(self, number: int) -> int:
        """Unix time of block `number`, fetched once per block and cached."""
        if number not in self._timestamps:
            block = self.call("eth_getBlockByNumber", [hex(number), False], detail=f"block {number}")
            self._timestamps[number] = self._time_of(block, number)
        return self._timestamps[number]

    def block_timestamps(self, numbers: Iterable[int]) -> dict[int, int]:
        """Unix time of each block, the unknown ones asked for in JSON-RPC batches."""
        wanted = sorted(set(numbers))
        missing = [n for n in wanted if n not in self._timestamps]
        blocks = self.rpc.call_many("eth_getBlockByNumber", [[hex(n), False] for n in missing],
                                    [f"block {n}" for n in missing])
        for number, block in zip(missing, blocks, strict=True):
            self._timestamps[number] = self._time_of(block, number)
        return {n: self._timestamps[n] for n in wanted}

    def first_block_at_or_after(self, timestamp: int, head: int) -> int:
        """Lowest block number in [0, head + 1] whose time is >= `timestamp` (head + 1 if none).

        Interpolation search between the tightest known bracket, falling back to halving when a
        guess does not at least halve the bracket, so it needs few calls on regular chains and
        never more than a binary search's.
        """
        if self.block_timestamp(head) < timestamp:
            return head + 1
        lo, t_lo = -1, None  # invariant: time(lo) < timestamp (block -1: before genesis)
        hi, t_hi = head, self._timestamps[head]  # invariant: time(hi) >= timestamp
        for number, stamp in self._timestamps.items():
            if number > head:
                continue
            if stamp < timestamp and number > lo:
                lo, t_lo = number, stamp
            elif stamp >= timestamp and number < hi:
                hi, t_hi = number, stamp
        halve = False
        while hi - lo > 1:
            if halve or t_lo is None or t_hi <= t_lo:
                middle = (lo + hi) // 2
            else:
                middle = lo + round((timestamp - t_lo) * (hi - lo) / (t_hi - t_lo))
                middle = min(max(middle, lo + 1), hi - 1)
            width = hi - lo
            stamp = self.block_timestamp(max(middle, 0))
            if stamp >= timestamp:
                hi, t_hi = max(middle, 0), stamp
            else:
                lo, t_lo = middle, stamp
            halve = (hi - lo) * 2 > width and not halve
        return hi

    def block_range_for_days(self, first_day: date, last_day: date, head: int) -> tuple[int, int] | None:
        """Blocks mined on UTC days first_day..last_day, up to `head`; None when there are none."""
        start = int(datetime.combine(first_day, time(), tzinfo=UTC).timestamp())
        end = int(datetime.combine(last_day + timedelta(days=1), time(), tzinfo=UTC).timestamp())
        first = self.first_block_at_or_after(start, head)
        after = self.first_block_at_or_after(end, head)
        return (first, after - 1) if after > first else None

    # -- logs ---------------------------------------------------------------------------------

    def get_logs(self, addresses: list[str], topics0: list[str], from_block: int, to_block: int) -> list[dict]:
        """Raw `eth_getLogs` answer for `addresses` and any event in `topics0` over [from_block, to_block]."""
        return self._get_logs(addresses, topics0, from_block, to_block, None)

    def get_log_columns(self, addresses: list[str], topics0: list[str], from_block: int,
                        to_block: int) -> pa.Table | list[dict]:
        """`get_logs`, read from the answer's bytes into Arrow columns (pipelines/chains/evm/_wire.py);
        an answer that reader declines comes back parsed, as `get_logs` gives it."""
        return self._get_logs(addresses, topics0, from_block, to_block, logs_table)

    def _get_logs(self, addresses: list[str], topics0: list[str], from_block: int, to_block: int,
                  read: Callable[[bytes], pa.Table | None] | None) -> pa.Table | list[dict]:
        detail = f"blocks {from_block}-{to_block}"
        logs = self.rpc.call(
            "eth_getLogs",
            [{"address": addresses, "topics": [topics0], "fromBlock": hex(from_block), "toBlock": hex(to_block)}],
            detail=detail, read=read,
        )
        if isinstance(logs, pa.Table):
            return logs
        if not isinstance(logs, list):
            raise MalformedResponse(f"result is {type(logs).__name__}, expected a list of logs", chain=self.label,
                                    method="eth_getLogs", detail=detail)
        return logs

    def eth_call_uint(self, to: str, data: str, block: int, *, detail: str) -> int | None:
        """One uint256 returned by `eth_call` at `block`; None when there is no contract there yet ("0x")."""
        answer = self.call("eth_call", [{"to": to, "data": data}, hex(block)], detail=detail)
        if answer == "0x":
            return None
        if not isinstance(answer, str) or not answer.startswith("0x") or len(answer) != 66:
            raise MalformedResponse(f"expected one uint256 word, got {str(answer)[:80]!r}", chain=self.label,
                                    method="eth_call", detail=detail)
        return int(answer, 16)
