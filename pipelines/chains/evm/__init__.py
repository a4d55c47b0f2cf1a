"""EVM adapter: `eth_getLogs` through web3.py, column-wise ERC-20 Transfer decoding."""

from pipelines.chains.evm._client import TRANSFER_TOPIC, EvmClient
from pipelines.chains.evm._decode import TOKEN_TRANSFERS_SCHEMA, decode_transfer_logs
from pipelines.chains.evm._events import STAKING_EVENTS_SCHEMA, decode_staking_logs
from pipelines.chains.evm._fetch import (
    VAULT_SNAPSHOTS_SCHEMA,
    fetch_staking_events,
    fetch_token_transfers,
    fetch_vault_snapshots,
)

__all__ = [
    "STAKING_EVENTS_SCHEMA",
    "VAULT_SNAPSHOTS_SCHEMA",
    "TOKEN_TRANSFERS_SCHEMA",
    "TRANSFER_TOPIC",
    "EvmClient",
    "decode_staking_logs",
    "decode_transfer_logs",
    "fetch_staking_events",
    "fetch_token_transfers",
    "fetch_vault_snapshots",
]
