"""Drive the local anvil chain: deploy the reference contracts and make dated activity.

Every transaction is mined in its own block at a chosen unix time, so the demo and the
tests decide which UTC day (which Dagster partition) each transfer belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract

from depinlens.registry import Token
from harness.contracts import load_artifact

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True)
class SentTransfer:
    """What the harness put on chain, in the terms the warehouse uses."""

    token: str
    kind: str  # transfer | mint | burn
    from_address: str
    to_address: str
    amount_raw: int
    block_number: int
    timestamp: int
    tx_hash: str


class LocalEvm:
    """A web3 session on the local node with its unlocked dev accounts."""

    def __init__(self, rpc_url: str) -> None:
        self.w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
        self.accounts: list[ChecksumAddress] = self.w3.eth.accounts
        self.deployer = self.accounts[0]

    def at(self, timestamp: int) -> LocalEvm:
        """Mine the next transaction's block at unix time `timestamp`."""
        self.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])
        return self

    def deploy_token(self, name: str, symbol: str, decimals: int) -> Contract:
        """Deploy the reference ERC-20 (mint and burn) from the deployer account."""
        artifact = load_artifact("BurnableToken")
        factory = self.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        tx = factory.constructor(name, symbol, decimals).transact({"from": self.deployer})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        return self.token(receipt.contractAddress)

    def deploy_registry_tokens(self, tokens: list[Token]) -> dict[str, Contract]:
        """Deploy one reference token per registry entry, checking each lands at its listed address."""
        deployed = {}
        for token in tokens:
            contract = self.deploy_token(f"{token.network} {token.symbol} (local)", token.symbol, token.decimals)
            if contract.address.lower() != token.address:
                raise RuntimeError(
                    f"{token.network} {token.symbol} deployed at {contract.address}, but networks.toml lists "
                    f"{token.address}; deploy into a fresh anvil, in registry order"
                )
            deployed[token.address] = contract
        return deployed

    def token(self, address: str) -> Contract:
        """The reference token at `address`."""
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=load_artifact("BurnableToken")["abi"])

    def _send(self, call, sender: str, *, token: Contract, kind: str, src: str, dst: str, amount: int) -> SentTransfer:
        tx = call.transact({"from": sender})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        if receipt.status != 1:
            raise RuntimeError(f"{kind} of {amount} on {token.address} reverted (tx {tx.to_0x_hex()})")
        block = self.w3.eth.get_block(receipt.blockNumber)
        return SentTransfer(
            token=token.address.lower(), kind=kind, from_address=src.lower(), to_address=dst.lower(),
            amount_raw=amount, block_number=receipt.blockNumber, timestamp=block.timestamp, tx_hash=tx.to_0x_hex(),
        )

    def mint(self, token: Contract, to: str, amount: int) -> SentTransfer:
        """Mint `amount` base units to `to` (a `Transfer` from the zero address)."""
        return self._send(token.functions.mint(to, amount), self.deployer, token=token, kind="mint",
                          src=ZERO_ADDRESS, dst=to, amount=amount)

    def transfer(self, token: Contract, sender: str, to: str, amount: int) -> SentTransfer:
        """Move `amount` base units from `sender` to `to`."""
        return self._send(token.functions.transfer(to, amount), sender, token=token, kind="transfer",
                          src=sender, dst=to, amount=amount)

    def burn(self, token: Contract, holder: str, amount: int) -> SentTransfer:
        """Burn `amount` of `holder`'s base units (a `Transfer` to the zero address)."""
        return self._send(token.functions.burn(amount), holder, token=token, kind="burn",
                          src=holder, dst=ZERO_ADDRESS, amount=amount)
