"""Drive the local anvil chain: deploy the reference contracts and make dated activity.

Every transaction is mined in its own block at a chosen unix time, so the demo and the
tests decide which UTC day (which Dagster partition) each transfer belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from depinlens.registry import Program, Token
from harness.contracts import load_artifact

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
# What the local loans' terms name as collateral (no contract is deployed at either address): a bundle
# wrapper standing for USD.AI's BundleCollateralWrapper and the GPU NFT contract whose ids it bundles.
LOCAL_BUNDLE_WRAPPER = "0x00000000000000000000000000000000000b0a1e"
LOCAL_GPU_NFT = "0x0000000000000000000000000000000000000690"
GAS_LIMIT = 300_000  # explicit, so each transaction skips an eth_estimateGas round trip


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
        tx = call.transact({"from": sender, "gas": GAS_LIMIT})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx, poll_latency=0.005)
        if receipt.status != 1:
            raise RuntimeError(f"{kind} of {amount} on {token.address} reverted (tx {tx.to_0x_hex()})")
        return SentTransfer(
            token=token.address.lower(), kind=kind, from_address=src.lower(), to_address=dst.lower(),
            amount_raw=amount, block_number=receipt.blockNumber, timestamp=int(receipt.logs[0]["blockTimestamp"], 16)
            if isinstance(receipt.logs[0].get("blockTimestamp"), str) else self.w3.eth.get_block(receipt.blockNumber).timestamp,
            tx_hash=tx.to_0x_hex(),
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

    # ── programs: staking pools and ERC-4626 vaults ─────────────────────────────

    def _deploy(self, contract_name: str, *args: object) -> Contract:
        artifact = load_artifact(contract_name)
        factory = self.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        receipt = self.w3.eth.wait_for_transaction_receipt(factory.constructor(*args).transact({"from": self.deployer}))
        return self.w3.eth.contract(address=receipt.contractAddress, abi=artifact["abi"])

    def deploy_registry_programs(self, programs: list[Program], tokens: dict[str, Token]) -> dict[str, Contract]:
        """Deploy the stand-in contract of each registry program, each at its listed address.

        The program's `contract` names the stand-in (AsyncRedeemVault, LoanRouter); without it the
        kind decides (StakingPool, RewardVault). `link_lending` then lets a vault lend through its
        network's loan router.

        Args:
            tokens: network id -> that network's token on this chain (what it stakes / holds).
        """
        deployed = {}
        for program in programs:
            token = Web3.to_checksum_address(tokens[program.network].address)
            name = program.contract or {"staking": "StakingPool", "vault": "RewardVault"}.get(program.kind)
            if name in ("StakingPool",):
                contract = self._deploy(name, token, token)
            elif name in ("RewardVault", "AsyncRedeemVault"):
                contract = self._deploy(name, token, tokens[program.network].decimals)
            elif name == "LoanRouter":
                contract = self._deploy(name)
            else:
                raise ValueError(f"{program.network} {program.name}: no reference contract for kind {program.kind!r}")
            if contract.address.lower() != program.address:
                raise RuntimeError(f"{program.name} deployed at {contract.address}, networks.toml lists {program.address}")
            deployed[program.address] = contract
        return deployed

    def link_lending(self, programs: list[Program], deployed: dict[str, Contract]) -> None:
        """Let each lending vault lend through its network's loan router (the vault approves the router,
        as sUSDai lends through USD.AI's loan router). Separate from deploying: it emits an Approval."""
        for router in (p for p in programs if p.kind == "loan_router"):
            for vault in (p for p in programs if p.network == router.network and p.contract == "AsyncRedeemVault"):
                self._transact(deployed[vault.address].functions.setLoanRouter(deployed[router.address].address),
                               self.deployer)

    def _transact(self, call, sender: str) -> int:
        receipt = self.w3.eth.wait_for_transaction_receipt(call.transact({"from": sender, "gas": GAS_LIMIT}),
                                                           poll_latency=0.005)
        if receipt.status != 1:
            raise RuntimeError(f"transaction from {sender} reverted")
        return receipt.blockNumber

    def stake(self, pool: Contract, token: Contract, holder: str, amount: int) -> int:
        """Approve and stake `amount` into a StakingPool (emits Staked and a Transfer to the pool)."""
        self._transact(token.functions.approve(pool.address, amount), holder)
        return self._transact(pool.functions.stake(amount), holder)

    def unstake(self, pool: Contract, holder: str, amount: int) -> int:
        """Withdraw `amount` of `holder`'s stake (emits Withdrawn)."""
        return self._transact(pool.functions.withdraw(amount), holder)

    def pay_reward(self, pool: Contract, token: Contract, user: str, amount: int) -> int:
        """The operator pays `user` a reward through the pool (emits RewardPaid)."""
        self._transact(token.functions.approve(pool.address, amount), self.deployer)
        return self._transact(pool.functions.payReward(user, amount), self.deployer)

    def vault_deposit(self, vault: Contract, token: Contract, holder: str, assets: int) -> int:
        """Approve and deposit `assets` into an ERC-4626 vault for `holder` (emits Deposit)."""
        self._transact(token.functions.approve(vault.address, assets), holder)
        return self._transact(vault.functions.deposit(assets, holder), holder)

    def vault_withdraw(self, vault: Contract, holder: str, assets: int) -> int:
        """Withdraw `assets` from the vault to `holder` (emits Withdraw)."""
        return self._transact(vault.functions.withdraw(assets, holder, holder), holder)

    def vault_distribute(self, vault: Contract, token: Contract, assets: int) -> int:
        """Pay revenue into the vault without minting shares: the share price rises."""
        self._transact(token.functions.approve(vault.address, assets), self.deployer)
        return self._transact(vault.functions.distribute(assets), self.deployer)

    # ── GPU loans (loan router) and asynchronous redemptions (ERC-7540 vault) ────

    def _receipt(self, call, sender: str):
        receipt = self.w3.eth.wait_for_transaction_receipt(call.transact({"from": sender, "gas": 600_000}),
                                                           poll_latency=0.005)
        if receipt.status != 1:
            raise RuntimeError(f"transaction from {sender} reverted")
        return receipt

    def deploy_forwarder(self) -> Contract:
        """A Forwarder (harness/contracts/Forwarder.vy): calls other contracts as a multicall or smart wallet does."""
        return self._deploy("Forwarder")

    def originate_loan(self, router: Contract, vault: Contract, token: Contract, borrower: str, principal: int,
                       origination_fee: int, gpu_ids: list[int], *, via: Contract | None = None) -> bytes:
        """`borrower` borrows `principal` from `vault` through `router`'s borrow(LoanTerms, LenderDepositInfo[])
        (emits LoanOriginated) against a bundle of GPU NFTs; its loan terms hash.

        The terms are laid out as USD.AI's (ILoanRouter.LoanTerms): the collateral is a bundle wrapper
        token whose context is the GPU NFT contract's 20 bytes then each id's 32 (as
        BundleCollateralWrapper encodes it) and whose id is keccak256(chain id, context). No wrapper or
        GPU NFT contract is deployed locally: the terms only name them (LOCAL_BUNDLE_WRAPPER, LOCAL_GPU_NFT).
        With `via` (a Forwarder), `borrower` sends the transaction to it and the forwarder is the borrower.
        """
        context = bytes.fromhex(LOCAL_GPU_NFT[2:]) + b"".join(i.to_bytes(32, "big") for i in gpu_ids)
        wrapper_id = int.from_bytes(Web3.solidity_keccak(["uint256", "bytes"], [self.w3.eth.chain_id, context]), "big")
        named = via.address if via is not None else Web3.to_checksum_address(borrower)
        terms = (2**63, named, token.address,
                 Web3.to_checksum_address(LOCAL_BUNDLE_WRAPPER), wrapper_id, 30 * 86_400, 86_400, ZERO_ADDRESS, 0, 0,
                 (origination_fee, 0), [(vault.address, principal, 0)], context, b"")
        deposits = [(2, b"")]  # 2: DepositType.ERC20Approval
        call = router.functions.borrow(terms, deposits)
        if via is not None:
            call = via.functions.forward(router.address, bytes.fromhex(router.encode_abi("borrow", [terms, deposits])[2:]))
        receipt = self._receipt(call, borrower)
        [event] = router.events.LoanOriginated().process_receipt(receipt, errors=DISCARD)  # token Transfers too
        return event["args"]["loanTermsHash"]

    def repay_loan(self, router: Contract, token: Contract, borrower: str, loan_hash: bytes, principal: int,
                   interest: int, exit_fee: int) -> int:
        """The borrower repays (emits LenderRepaid and LoanRepaid)."""
        self._transact(token.functions.approve(router.address, principal + interest + exit_fee), borrower)
        return self._receipt(router.functions.repay(loan_hash, principal, interest, exit_fee), borrower).blockNumber

    def liquidate_loan(self, router: Contract, loan_hash: bytes) -> int:
        """Send a loan to liquidation (emits LoanLiquidated)."""
        return self._receipt(router.functions.liquidate(loan_hash), self.deployer).blockNumber

    def settle_liquidation(self, router: Contract, token: Contract, loan_hash: bytes, proceeds: int, fee: int) -> int:
        """The collateral sold (emits LenderLiquidationRepaid and LoanCollateralLiquidated)."""
        self._transact(token.functions.approve(router.address, proceeds), self.deployer)
        return self._receipt(router.functions.onCollateralLiquidated(loan_hash, proceeds, fee), self.deployer).blockNumber

    def request_redeem(self, vault: Contract, holder: str, shares: int) -> int:
        """ERC-7540 redemption request (emits RedeemRequest)."""
        return self._receipt(vault.functions.requestRedeem(shares, holder, holder), holder).blockNumber

    def service_redemptions(self, vault: Contract, shares: int) -> int:
        """The operator services the queue (emits RedemptionProcessed, RedemptionsServiced)."""
        return self._receipt(vault.functions.serviceRedemptions(shares), self.deployer).blockNumber

    def claim_redemption(self, vault: Contract, holder: str) -> int | None:
        """The holder claims what was serviced (emits Withdraw); None when nothing is claimable."""
        assets = vault.functions.claimable(holder).call()
        if not assets:
            return None
        return self._receipt(vault.functions.withdraw(assets, holder, holder), holder).blockNumber
