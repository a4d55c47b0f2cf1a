"""How much happens a day on each provider: the issue's mainnet figures and small test figures.

`MAINNET_VOLUMES` carries the figures issue #13 names for a realistic day (20,000 signatures
on a mint, 2,000 burns, 1,000 job transactions, 5,000 active leases with 250 opened and 250
closed, 10,000 EVM logs); `TEST_VOLUMES` keeps the same shape small enough that a 30-day
backfill of every network runs in a few minutes on two cores.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EvmVolumes:
    """Logs a day per token (and the vault)."""

    transfers_per_day: int
    mints_per_day: int
    burns_per_day: int
    holder_transfers_per_day: int  # of the transfers, those into or out of a holder (a staking contract)
    vault_deposits_per_day: int
    vault_withdrawals_per_day: int

    @property
    def logs_per_day(self) -> int:
        return (self.transfers_per_day + self.mints_per_day + self.burns_per_day + self.vault_deposits_per_day
                + self.vault_withdrawals_per_day)


@dataclass(frozen=True)
class SolanaVolumes:
    """Transactions a day per tracked account."""

    mint_signatures_per_day: int  # the mint's own transfers, mints and burns
    burns_per_day: int  # burns signed by the burn wallet
    incoming_per_day: int  # transfers into the burn wallet
    job_transactions_per_day: int  # Nosana Jobs program (list, work, finish, end)
    stake_accounts: int  # Nosana StakeAccounts alive at the window's start
    failed_fraction: float  # transactions that fail (meta.err set, no token movement)


@dataclass(frozen=True)
class AkashVolumes:
    """Leases open at once and opened/closed a day."""

    active_leases: int
    leases_created_per_day: int
    leases_closed_per_day: int
    providers: int
    closed_history: int  # leases opened and closed in the two years before the window


@dataclass(frozen=True)
class Volumes:
    """One figure set for every family."""

    evm: EvmVolumes
    solana: SolanaVolumes
    akash: AkashVolumes


MAINNET_VOLUMES = Volumes(
    evm=EvmVolumes(transfers_per_day=9_000, mints_per_day=200, burns_per_day=400, holder_transfers_per_day=300,
                   vault_deposits_per_day=200, vault_withdrawals_per_day=200),
    solana=SolanaVolumes(mint_signatures_per_day=20_000, burns_per_day=2_000, incoming_per_day=300,
                         job_transactions_per_day=1_000, stake_accounts=5_000, failed_fraction=0.03),
    akash=AkashVolumes(active_leases=5_000, leases_created_per_day=250, leases_closed_per_day=250, providers=70,
                       closed_history=2_000),
)

TEST_VOLUMES = Volumes(
    evm=EvmVolumes(transfers_per_day=60, mints_per_day=4, burns_per_day=6, holder_transfers_per_day=6,
                   vault_deposits_per_day=3, vault_withdrawals_per_day=3),
    solana=SolanaVolumes(mint_signatures_per_day=120, burns_per_day=30, incoming_per_day=6,
                         job_transactions_per_day=30, stake_accounts=40, failed_fraction=0.05),
    akash=AkashVolumes(active_leases=60, leases_created_per_day=6, leases_closed_per_day=6, providers=8,
                       closed_history=20),
)
