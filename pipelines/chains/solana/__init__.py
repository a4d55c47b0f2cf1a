"""Solana adapter: JSON-RPC through the project's HTTP layer, SPL token movements and Nosana accounts to Arrow.

Render (RENDER burns through its burn wallet), io.net (IO burns) and Nosana (jobs, stakes) all
settle on Solana; this package reads them from any RPC node through the accounts the registry
names for each signal.
"""

from pipelines.chains.solana._client import SolanaClient
from pipelines.chains.solana._decode import (
    SPL_MOVEMENTS_SCHEMA,
    TOKEN_TRANSFERS_SCHEMA,
    ZERO_PUBKEY,
    block_transactions,
    decode_token_movements,
    failed_signatures,
    token_transfer_rows,
)
from pipelines.chains.solana._fetch import (
    AccountPager,
    HistoryMethodRefused,
    HistoryPager,
    SignatureRecord,
    Snapshot,
    day_span,
    paging_bounds,
    read_job_day,
    read_open_jobs,
    read_stakes,
    read_supplies,
    read_token_movements,
    successful,
    transactions_of,
    window_seconds,
)
from pipelines.chains.solana._jobs import (
    JOBS_SCHEMA,
    STAKE_METRICS,
    STAKING_SNAPSHOTS_SCHEMA,
    decode_accounts,
    decode_job_instructions,
    job_rows,
    stake_rows,
)

__all__ = [
    "JOBS_SCHEMA",
    "SPL_MOVEMENTS_SCHEMA",
    "STAKE_METRICS",
    "STAKING_SNAPSHOTS_SCHEMA",
    "TOKEN_TRANSFERS_SCHEMA",
    "ZERO_PUBKEY",
    "AccountPager",
    "HistoryMethodRefused",
    "HistoryPager",
    "SignatureRecord",
    "Snapshot",
    "SolanaClient",
    "block_transactions",
    "day_span",
    "paging_bounds",
    "decode_accounts",
    "decode_job_instructions",
    "decode_token_movements",
    "failed_signatures",
    "job_rows",
    "read_job_day",
    "read_open_jobs",
    "read_stakes",
    "read_supplies",
    "read_token_movements",
    "stake_rows",
    "successful",
    "token_transfer_rows",
    "transactions_of",
    "window_seconds",
]
