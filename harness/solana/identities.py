"""Deterministic keys of the local chain, so `networks.toml` can list the local counterparts.

Each key is an ed25519 keypair whose 32-byte seed is sha256 of a fixed label: the
registry's `solana-local` mints and programs never change between runs or machines.
"""

from __future__ import annotations

import hashlib

from solders.keypair import Keypair
from solders.pubkey import Pubkey

SEED_PREFIX = "depinlens/solana-local/"

# registry symbol or program name -> label of its keypair seed
LOCAL_MINT_LABELS = {"RENDER": "mint/RENDER", "IO": "mint/IO", "NOS": "mint/NOS"}
LOCAL_PROGRAM_LABELS = {"jobs": "program/nosana-jobs", "staking": "program/nosana-staking",
                        "rewards": "program/nosana-rewards"}
# Render's burn wallet on the local chain: creators pay it, it burns (as rbrnm7… does on mainnet)
RENDER_BURN_WALLET_LABEL = "wallet/render-burn"


def local_keypair(label: str) -> Keypair:
    """The keypair whose seed is sha256("depinlens/solana-local/<label>")."""
    return Keypair.from_seed(hashlib.sha256((SEED_PREFIX + label).encode()).digest())


def local_mint(symbol: str) -> Pubkey:
    """Address of the local counterpart of mint `symbol` (RENDER, IO, NOS)."""
    return local_keypair(LOCAL_MINT_LABELS[symbol]).pubkey()


def local_program(name: str) -> Pubkey:
    """Address of the local counterpart of Nosana program `name` (jobs, staking, rewards)."""
    return local_keypair(LOCAL_PROGRAM_LABELS[name]).pubkey()
