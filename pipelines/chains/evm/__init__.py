"""EVM adapter: JSON-RPC through the project's HTTP layer, column-wise ERC-20 Transfer decoding, day-end reads."""

from pipelines.chains.evm._client import TRANSFER_TOPIC, EvmClient
from pipelines.chains.evm._collateral import Collateral, collateral_of, read_collateral
from pipelines.chains.evm._decode import TOKEN_TRANSFERS_SCHEMA, decode_transfer_logs
from pipelines.chains.evm._events import STAKING_EVENTS_SCHEMA, decode_staking_logs
from pipelines.chains.evm._loans import decode_loan_logs, loan_router_events, read_loan_events, read_vault_prices
from pipelines.chains.evm._fetch import (
    VAULT_SNAPSHOTS_SCHEMA,
    DayBlocks,
    DayRows,
    day_blocks,
    read_holder_balances,
    read_staking_events,
    read_supplies,
    read_transfers,
    read_vault_navs,
    selector,
)

__all__ = [
    "STAKING_EVENTS_SCHEMA",
    "TOKEN_TRANSFERS_SCHEMA",
    "TRANSFER_TOPIC",
    "VAULT_SNAPSHOTS_SCHEMA",
    "Collateral",
    "DayBlocks",
    "DayRows",
    "EvmClient",
    "collateral_of",
    "day_blocks",
    "decode_loan_logs",
    "decode_staking_logs",
    "decode_transfer_logs",
    "loan_router_events",
    "read_collateral",
    "read_holder_balances",
    "read_loan_events",
    "read_staking_events",
    "read_supplies",
    "read_transfers",
    "read_vault_navs",
    "read_vault_prices",
    "selector",
]
