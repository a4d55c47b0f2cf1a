"""EVM ingestion end to end from a real anvil: eth_getLogs -> decode -> DuckDB load, in logs/s.

Mints --logs Transfer events (batched, 500 per transaction) on a fresh anvil within one UTC
day, then times (a) depinlens' path — block range by time, chunked eth_getLogs through
web3's provider, column-wise decode, one-transaction partition replace into a DuckDB file —
and (b) the baseline in the same run: web3.py's own `contract.events.Transfer().get_logs()`
over the same blocks (fetch + decode into event objects, no load).

Each side is timed as the best of --repeats passes (as `timeit` does: the pass least disturbed
by other work on the machine), ours each time into a fresh DuckDB file. Each side keeps its
connection to the node across its passes, as a pipeline run keeps its client across the days it
reads: web3.py its `Web3` provider, depinlens its `EvmClient` (a client built afresh for each pass
added 0.1-0.2 s of CPU per pass: its connections, threads and first requests). Our first pass is
also printed on its own: it pays the process's one-time costs (lazy imports, the first
allocations of the answers' memory), about 0.3-0.4 s at 100,000 logs, which a pipeline pays once
per process, not once per day.

    .venv/bin/python benchmarks/evm_ingest.py [--logs 50000] [--repeats 3]

The last line reads `ratio: <depinlens logs/s ÷ web3.py logs/s>`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from depinlens.registry import load_registry  # noqa: E402
from depinlens.settings import PROJECT_ROOT  # noqa: E402
from harness.anvil import Anvil  # noqa: E402
from harness.demo import day_start  # noqa: E402
from harness.evm import LocalEvm  # noqa: E402
from pipelines.chains.evm import EvmClient, day_blocks, read_transfers  # noqa: E402
from warehouse import connect_warehouse, replace_partition  # noqa: E402

DAY = date(2025, 6, 1)
BATCH = 500


def ingest_day(client: EvmClient, tokens: list, warehouse: Path) -> int:
    """depinlens' path for the day, into `warehouse` (a fresh DuckDB file); the rows loaded."""
    conn = connect_warehouse(warehouse)
    try:
        blocks = day_blocks(client, DAY, client.block_number())
        fetched = read_transfers(client, tokens, blocks, source="local", chunk_blocks=20)
        rows = replace_partition(conn, "raw.token_transfers", fetched.rows,
                                 scope={"chain": "anvil", "source": "local", "token_address": [t.address for t in tokens]},
                                 day_column="block_day", first_day=DAY, last_day=DAY)
        assert conn.execute("select count(*) from raw.token_transfers").fetchone()[0] == rows
        return rows
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logs", type=int, default=50_000, help="Transfer events to ingest (default 50,000)")
    parser.add_argument("--repeats", type=int, default=3, help="passes of each side; the best counts (default 3)")
    args = parser.parse_args()
    registry = load_registry(PROJECT_ROOT / "networks.toml")
    tokens = registry.tokens_on("anvil")

    with Anvil(genesis_timestamp=day_start(DAY) - 3600) as anvil, tempfile.TemporaryDirectory() as tmp:
        evm = LocalEvm(anvil.url)
        contract = evm.at(day_start(DAY) + 60).deploy_registry_tokens(tokens)[tokens[0].address]
        receivers = [evm.accounts[1 + k % 9] for k in range(BATCH)]
        started = time.perf_counter()
        for n in range(0, args.logs, BATCH):
            size = min(BATCH, args.logs - n)
            call = contract.functions.mintMany(receivers[:size], [10**18 + n + k for k in range(size)])
            evm.w3.eth.wait_for_transaction_receipt(evm.at(day_start(DAY) + 120 + n // BATCH).w3.eth.send_transaction(
                {"from": evm.deployer, "to": contract.address, "data": call._encode_transaction_data(), "gas": 29_000_000}))
        print(f"setup: {args.logs:,} Transfer logs in {args.logs // BATCH + 1} blocks "
              f"({time.perf_counter() - started:.1f} s)")

        client = EvmClient("anvil", anvil.url)  # kept across passes, as web3.py keeps evm.w3
        blocks = day_blocks(client, DAY, evm.w3.eth.block_number)
        passes, web3_passes = [], []
        for n in range(max(args.repeats, 1)):
            started = time.perf_counter()
            rows = ingest_day(client, tokens, Path(tmp) / f"bench{n}.duckdb")
            passes.append(time.perf_counter() - started)
            assert rows == args.logs
        for _ in range(max(args.repeats, 1)):
            started = time.perf_counter()
            events = contract.events.Transfer().get_logs(from_block=blocks.first, to_block=blocks.last)
            web3_passes.append(time.perf_counter() - started)
            assert len(events) == args.logs
        ours_s, web3_s = min(passes), min(web3_passes)

    ours, web3 = rows / ours_s, len(events) / web3_s
    print(f"depinlens fetch + decode + load: {ours:>10,.0f} logs/s ({ours_s:.2f} s; passes: "
          f"{', '.join(f'{p:.2f}' for p in passes)} s, the first cold: {rows / passes[0]:,.0f} logs/s)")
    print(f"web3.py get_logs (fetch+decode): {web3:>10,.0f} logs/s ({web3_s:.2f} s)")
    print(f"ratio: {ours / web3:.1f}")


if __name__ == "__main__":
    main()
