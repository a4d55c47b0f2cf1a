"""SPL token activity on the local ledger: mints, associated accounts, transfers, burns.

Instructions are built with solana-py's SPL helpers (`spl.token.instructions`), signed
with solders keypairs and executed by LiteSVM's SPL Token program. Each helper returns
what it put on chain in the warehouse's terms, so tests can compare rows with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import spl.token.instructions as spl
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.models import (
    BurnCheckedParams,
    BurnParams,
    InitializeMintParams,
    MintToCheckedParams,
    MintToParams,
    TransferCheckedParams,
    TransferParams,
)

from harness.solana.ledger import MINT_SIZE, SolanaLedger, TxRecord

ZERO_PUBKEY = "11111111111111111111111111111111"


@dataclass(frozen=True)
class SentMovement:
    """One SPL movement the harness made: who, what, how much, where in the ledger."""

    mint: str
    kind: str  # transfer | mint | burn
    from_address: str  # owner wallet; the zero pubkey for mints
    to_address: str  # owner wallet; the zero pubkey for burns
    amount_raw: int
    slot: int
    block_time: int
    signature: str
    log_index: int
    inner_index: int | None = None


def ata(owner: Pubkey, mint: Pubkey) -> Pubkey:
    """The associated token account of `owner` for `mint`."""
    return spl.get_associated_token_address(owner, mint)


def create_mint(ledger: SolanaLedger, mint: Keypair, authority: Keypair, decimals: int) -> TxRecord:
    """Create and initialize an SPL mint at `mint`'s address, with `authority` minting."""
    rent = ledger.svm.minimum_balance_for_rent_exemption(MINT_SIZE)
    return ledger.send([
        create_account(CreateAccountParams(from_pubkey=authority.pubkey(), to_pubkey=mint.pubkey(), lamports=rent,
                                           space=MINT_SIZE, owner=TOKEN_PROGRAM_ID)),
        spl.initialize_mint2(InitializeMintParams(decimals=decimals, program_id=TOKEN_PROGRAM_ID, mint=mint.pubkey(),
                                                  mint_authority=authority.pubkey(), freeze_authority=None)),
    ], [authority, mint])


def open_account(ledger: SolanaLedger, payer: Keypair, owner: Pubkey, mint: Pubkey) -> Pubkey:
    """Create `owner`'s associated token account for `mint` (if missing); returns its address."""
    address = ata(owner, mint)
    if ledger.account(address) is None:
        ledger.send([spl.create_associated_token_account(payer.pubkey(), owner, mint)], [payer])
    return address


def mint_to(ledger: SolanaLedger, mint: Pubkey, authority: Keypair, owner: Pubkey, amount: int, *,
            checked: bool = True) -> SentMovement:
    """Mint `amount` base units to `owner`'s associated account (emissions)."""
    decimals = ledger.decimals(mint)
    dest = ata(owner, mint)
    ix = (spl.mint_to_checked(MintToCheckedParams(program_id=TOKEN_PROGRAM_ID, mint=mint, dest=dest,
                                                  mint_authority=authority.pubkey(), amount=amount, decimals=decimals))
          if checked else
          spl.mint_to(MintToParams(program_id=TOKEN_PROGRAM_ID, mint=mint, dest=dest,
                                   mint_authority=authority.pubkey(), amount=amount)))
    record = ledger.send([ix], [authority])
    return SentMovement(str(mint), "mint", ZERO_PUBKEY, str(owner), amount, record.slot, record.block_time,
                        record.signature, 0)


def transfer_ix(ledger: SolanaLedger, mint: Pubkey, owner: Pubkey, to_owner: Pubkey, amount: int, *,
                checked: bool = True, authority: Pubkey | None = None):
    """A transfer instruction between two associated accounts (signed by `authority` or `owner`)."""
    source, dest, signer = ata(owner, mint), ata(to_owner, mint), authority or owner
    if checked:
        return spl.transfer_checked(TransferCheckedParams(program_id=TOKEN_PROGRAM_ID, source=source, mint=mint,
                                                          dest=dest, owner=signer, amount=amount,
                                                          decimals=ledger.decimals(mint)))
    return spl.transfer(TransferParams(program_id=TOKEN_PROGRAM_ID, source=source, dest=dest, owner=signer,
                                       amount=amount))


def transfer(ledger: SolanaLedger, mint: Pubkey, owner: Keypair, to_owner: Pubkey, amount: int, *,
             checked: bool = True, fee_payer: Keypair | None = None) -> SentMovement:
    """Move `amount` base units between two owners' associated accounts."""
    signers = [fee_payer, owner] if fee_payer else [owner]
    record = ledger.send([transfer_ix(ledger, mint, owner.pubkey(), to_owner, amount, checked=checked)], signers)
    return SentMovement(str(mint), "transfer", str(owner.pubkey()), str(to_owner), amount, record.slot,
                        record.block_time, record.signature, 0)


def burn_ix(ledger: SolanaLedger, mint: Pubkey, owner: Pubkey, amount: int, *, checked: bool = True):
    """A burn instruction on `owner`'s associated account."""
    account = ata(owner, mint)
    if checked:
        return spl.burn_checked(BurnCheckedParams(program_id=TOKEN_PROGRAM_ID, mint=mint, account=account,
                                                  owner=owner, amount=amount, decimals=ledger.decimals(mint)))
    return spl.burn(BurnParams(program_id=TOKEN_PROGRAM_ID, account=account, mint=mint, owner=owner, amount=amount))


def burn(ledger: SolanaLedger, mint: Pubkey, owner: Keypair, amount: int, *, checked: bool = True) -> SentMovement:
    """Burn `amount` base units from `owner`'s associated account (Render job payments, io.net buybacks)."""
    record = ledger.send([burn_ix(ledger, mint, owner.pubkey(), amount, checked=checked)], [owner])
    return SentMovement(str(mint), "burn", str(owner.pubkey()), ZERO_PUBKEY, amount, record.slot,
                        record.block_time, record.signature, 0)
