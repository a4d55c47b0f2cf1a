"""Synthetic but wire-exact inputs for the benchmarks (no network, deterministic)."""

from __future__ import annotations

TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
LOCAL_ATH = "0x5fbdb2315678afecb367f032d93f642f64180aa3"


def transfer_log(i: int, token: str = LOCAL_ATH) -> dict:
    """The i-th ERC-20 Transfer log exactly as `eth_getLogs` returns it (10 logs per block)."""
    return {
        "address": token,
        "topics": [TRANSFER_TOPIC, "0x" + "0" * 24 + "%040x" % (i % 9973 + 1), "0x" + "0" * 24 + "%040x" % (i % 7919 + 2)],
        "data": "0x%064x" % ((i * 7_919_000_000_000_000_003) % 10**27),
        "blockHash": "0x%064x" % (i // 10 + 0xABC),
        "blockNumber": hex(i // 10 + 1),
        "blockTimestamp": hex(1_700_000_000 + (i // 10) * 12),
        "transactionHash": "0x%064x" % (i * 31 + 7),
        "transactionIndex": hex(i % 10),
        "logIndex": hex(i % 10),
        "removed": False,
    }
