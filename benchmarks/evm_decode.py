"""ERC-20 Transfer logs in eth_getLogs JSON -> Arrow: our column-wise decoder against web3.py.

Both sides start from the same parsed `eth_getLogs` result (the list of log objects that
web3's provider returns). web3.py needs its log formatter before `process_log`, and that is
counted on its side. JSON text parsing, which both would share, is timed separately and
printed so the end-to-end picture is visible too.

    .venv/bin/python benchmarks/evm_decode.py [--logs 1000000] [--web3-sample 20000]

The last line reads `ratio: <ours logs/s ÷ web3 logs/s>` (target: at least 100).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._timing import best_of  # noqa: E402
from benchmarks._synthetic import transfer_log  # noqa: E402
from depinlens.registry import load_registry  # noqa: E402
from depinlens.settings import PROJECT_ROOT  # noqa: E402
from harness.contracts import load_artifact  # noqa: E402
from pipelines.chains.evm import decode_transfer_logs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logs", type=int, default=1_000_000, help="logs for our decoder (default 1,000,000)")
    parser.add_argument("--web3-sample", type=int, default=20_000, help="logs for web3.py (default 20,000)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from web3 import Web3
    from web3._utils.method_formatters import log_entry_formatter

    tokens = {t.address: t for t in load_registry(PROJECT_ROOT / "networks.toml").tokens_on("anvil")}
    logs = [transfer_log(i) for i in range(args.logs)]
    sample = logs[: args.web3_sample]
    print(f"inputs: {len(logs):,} logs for depinlens, {len(sample):,} for web3.py")

    table = decode_transfer_logs(logs, chain="anvil", source="local", tokens=tokens)
    assert table.num_rows == len(logs)
    ours_s = best_of(args.repeats, lambda: decode_transfer_logs(logs, chain="anvil", source="local", tokens=tokens))
    ours = len(logs) / ours_s

    event = Web3().eth.contract(abi=load_artifact("BurnableToken")["abi"]).events.Transfer()
    decoded = [event.process_log(log_entry_formatter(log)) for log in sample[:10]]
    assert decoded[3]["args"]["value"] == int(sample[3]["data"], 16)  # same answer as ours
    assert table.column("amount_raw")[3].as_py() == decoded[3]["args"]["value"]
    web3_s = best_of(1, lambda: [event.process_log(log_entry_formatter(log)) for log in sample])
    web3 = len(sample) / web3_s

    body = json.dumps({"jsonrpc": "2.0", "id": 1, "result": sample}).encode()
    parse_s = best_of(args.repeats, lambda: json.loads(body))
    parse = len(sample) / parse_s

    print(f"depinlens column-wise decoder: {ours:>12,.0f} logs/s  ({ours_s * 1e6 / len(logs):.2f} µs/log)")
    print(f"web3.py process_log:           {web3:>12,.0f} logs/s  ({web3_s * 1e6 / len(sample):.2f} µs/log)")
    print(f"json.loads of the answer:      {parse:>12,.0f} logs/s  (shared by both; end to end ours "
          f"{1 / (1 / ours + 1 / parse):,.0f} vs web3 {1 / (1 / web3 + 1 / parse):,.0f} logs/s)")
    print(f"ratio: {ours / web3:.1f}")


if __name__ == "__main__":
    main()
