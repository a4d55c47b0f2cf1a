"""Solana adapter: JSON-RPC over httpx, SPL token movements and Nosana accounts decoded to Arrow.

Render (RENDER burns and mints), io.net (IO burns) and Nosana (NOS flows, JobAccount,
StakeAccount) all settle on Solana; this package reads them from any RPC node.
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
    FetchedJobs,
    FetchedStakes,
    FetchedTransfers,
    fetch_nosana_jobs,
    fetch_nosana_stakes,
    fetch_token_transfers,
    signatures_in_window,
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
    "FetchedJobs",
    "FetchedStakes",
    "FetchedTransfers",
    "SolanaClient",
    "block_transactions",
    "decode_accounts",
    "decode_job_instructions",
    "decode_token_movements",
    "failed_signatures",
    "fetch_nosana_jobs",
    "fetch_nosana_stakes",
    "fetch_token_transfers",
    "job_rows",
    "signatures_in_window",
    "stake_rows",
    "token_transfer_rows",
    "window_seconds",
]
