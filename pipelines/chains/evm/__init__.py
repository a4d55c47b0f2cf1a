"""EVM adapter: `eth_getLogs` through web3.py, column-wise ERC-20 Transfer decoding."""

from pipelines.chains.evm._client import TRANSFER_TOPIC, EvmClient, rpc_url_for
from pipelines.chains.evm._decode import TOKEN_TRANSFERS_SCHEMA, decode_transfer_logs
from pipelines.chains.evm._fetch import fetch_token_transfers

__all__ = [
    "TOKEN_TRANSFERS_SCHEMA",
    "TRANSFER_TOPIC",
    "EvmClient",
    "decode_transfer_logs",
    "fetch_token_transfers",
    "rpc_url_for",
]
