"""A mainnet-shaped EVM JSON-RPC provider on 127.0.0.1, and the truth a test checks a warehouse against.

Wire format as geth/reth and the recorded answers in ../shared/fixtures/evm: logs with
`removed` (and `blockTimestamp`, as newer nodes send it, unless turned off), hex quantities,
lowercase addresses. Limits as public providers enforce them: `eth_getLogs` ranges over
`max_block_range` blocks are refused with Alchemy's -32602 "...up to a 2K block range..."
and answers over `max_logs` logs with Infura's -32005 "query returned more than 10000
results" (or both as HTTP 413 with `logs_refusal="http"`); request windows answer 429 with
Retry-After (see `Limits`).

Methods: eth_chainId, net_version, web3_clientVersion, eth_blockNumber, eth_getBlockByNumber,
eth_getBlockByHash, eth_getLogs (address string or list, topic OR-lists, blockHash),
eth_call (ERC-20 totalSupply/balanceOf/decimals/symbol, ERC-4626 asset/totalAssets/
totalSupply/convertToAssets/convertToShares, at any block up to the head). Anything else
answers -32601 as geth does.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from eth_utils import keccak

from harness.mainnet._evm_chain import ZERO_ADDRESS, Event, EvmChain, Token, Vault
from harness.mainnet._jsonrpc import HttpRefusalError, JsonRpcProvider, RpcError, hex_int
from harness.mainnet._limits import Limits, Refusal
from harness.mainnet._seeded import digest
from harness.mainnet.volumes import MAINNET_VOLUMES, EvmVolumes

# what a free public endpoint allows (Alchemy/Infura free tiers are of this order)
PUBLIC_LIMITS = Limits(window_s=10.0, per_window=100, per_method=40)
FINALITY = {"safe": 32, "finalized": 64}


def _selector(signature: str) -> str:
    return keccak(text=signature)[:4].hex()


SELECTORS = {_selector(s): s for s in (
    "totalSupply()", "balanceOf(address)", "decimals()", "symbol()", "asset()", "totalAssets()",
    "convertToAssets(uint256)", "convertToShares(uint256)")}


def _uint(value: int) -> str:
    return "0x" + f"{value:064x}"


def _string(text: str) -> str:
    raw = text.encode()
    padded = raw.ljust(-(-len(raw) // 32) * 32 or 32, b"\0")
    return "0x" + f"{32:064x}" + f"{len(raw):064x}" + padded.hex()


def default_tokens(volumes: EvmVolumes, seed: int) -> tuple[tuple[Token, ...], Vault]:
    """One busy ERC-20 held partly by a staking contract, and an ERC-4626 vault over it."""
    address = "0x" + digest(seed, "token", 0, size=20).hex()
    staking = "0x" + digest(seed, "staking", 0, size=20).hex()
    token = Token(address, symbol="DPIN", decimals=18, initial_supply=10**9 * 10**18,
                  transfers_per_day=volumes.transfers_per_day, mints_per_day=volumes.mints_per_day,
                  burns_per_day=volumes.burns_per_day, holders=((staking, 10**8 * 10**18),),
                  holder_transfers_per_day=min(volumes.holder_transfers_per_day, volumes.transfers_per_day))
    vault = Vault("0x" + digest(seed, "vault", 0, size=20).hex(), asset=address,
                  deposits_per_day=volumes.vault_deposits_per_day,
                  withdrawals_per_day=volumes.vault_withdrawals_per_day)
    return (token,), vault


class EvmMainnet(JsonRpcProvider):
    """An EVM chain's JSON-RPC endpoint over days first_day..last_day (plus `history_days` before).

    Args:
        tokens: the ERC-20s and their activity; default: `default_tokens(volumes, seed)`.
        vault: an ERC-4626 vault (its NAV grows every day); default: the one over the default token.
        volumes: daily figures for the default tokens (`MAINNET_VOLUMES.evm` unless given).
        block_time: seconds between blocks (12 on Ethereum); with `jitter`, an Arbitrum-like
            chain: e.g. 0.25 s, several blocks sharing a timestamp.
        head_margin: blocks after the last day's last block the head starts at (`advance()` adds more).
        max_block_range / max_logs: `eth_getLogs` limits (None: none).
        logs_refusal: refuse those as JSON-RPC errors ("jsonrpc") or HTTP 413 ("http").
        block_timestamp_in_logs: add `blockTimestamp` to logs, as newer nodes do.
        removed_fraction: share of logs preceded by a `removed: true` copy from a dropped block
            (never part of the truth).
        limits: request windows, concurrency, batch size, flaky mode.

    Example:
        with EvmMainnet(date(2025, 6, 1), date(2025, 6, 30), volumes=TEST_VOLUMES.evm) as node:
            web3 = Web3(Web3.HTTPProvider(f"{node.url}/some-api-key"))
            node.transfers(node.tokens[0].address, date(2025, 6, 3))  # the truth
    """

    def __init__(self, first_day: date, last_day: date, *, tokens: tuple[Token, ...] | None = None,
                 vault: Vault | None = None, volumes: EvmVolumes = MAINNET_VOLUMES.evm, seed: int = 0,
                 chain_id: int = 1, block_time: float = 12.0, jitter: bool = False, history_days: int = 1,
                 head_margin: int = 64, max_block_range: int | None = 2_000, max_logs: int | None = 10_000,
                 logs_refusal: Literal["jsonrpc", "http"] = "jsonrpc", block_timestamp_in_logs: bool = True,
                 removed_fraction: float = 0.0, limits: Limits = PUBLIC_LIMITS, **kwargs: Any) -> None:
        super().__init__(limits, name="evm-mainnet", **kwargs)
        if tokens is None:
            tokens, default_vault = default_tokens(volumes, seed)
            vault = vault or default_vault
        self.tokens, self.vault = tokens, vault
        self.chain = EvmChain(first_day, last_day, tokens, vault, seed=seed, chain_id=chain_id,
                              block_time=block_time, jitter=jitter, history_days=history_days,
                              head_margin=head_margin, removed_fraction=removed_fraction)
        self.max_block_range, self.max_logs, self.logs_refusal = max_block_range, max_logs, logs_refusal
        self.block_timestamp_in_logs = block_timestamp_in_logs
        self.methods = {
            "eth_chainId": lambda params: hex(chain_id),
            "net_version": lambda params: str(chain_id),
            "web3_clientVersion": lambda params: "Geth/v1.15.11-stable/linux-amd64/go1.24.2 (depinlens loopback)",
            "eth_blockNumber": lambda params: hex(self.chain.head),
            "eth_getBlockByNumber": self._get_block_by_number,
            "eth_getBlockByHash": self._get_block_by_hash,
            "eth_getLogs": self._get_logs,
            "eth_call": self._eth_call,
        }

    # -- node texts --------------------------------------------------------------------------

    def _method_not_found(self, method: str) -> RpcError:
        return RpcError(-32601, f"the method {method} does not exist/is not available")

    def _too_many_message(self, refusal: Refusal) -> tuple[int, str]:
        return 429, ("Your app has exceeded its compute units per second capacity. If you have retries enabled, "
                     "you can safely ignore this message. If not, check out "
                     "https://docs.alchemy.com/reference/throughput")

    # -- moving the chain --------------------------------------------------------------------

    def advance(self, blocks: int) -> int:
        """Make `blocks` new blocks; returns the new head."""
        return self.chain.advance(blocks)

    def reorg(self, depth: int) -> None:
        """Replace the newest `depth` blocks (new hashes, transactions and amounts)."""
        self.chain.reorg(depth)

    @property
    def head(self) -> int:
        return self.chain.head

    # -- parameters --------------------------------------------------------------------------

    def _block_number(self, tag: Any, *, allow_hash: bool = False) -> int:
        head = self.chain.head
        if isinstance(tag, dict) and allow_hash:
            if "blockHash" in tag:
                block = self.chain.block_of_hash(str(tag["blockHash"]))
                if block is None:
                    raise RpcError(-32000, f"header for hash {tag['blockHash']} not found")
                return block
            tag = tag.get("blockNumber")
        if tag in (None, "latest", "pending"):
            return head
        if tag == "earliest":
            return 0
        if tag in FINALITY:
            return max(0, head - FINALITY[tag])
        return hex_int(tag, "block number")

    # -- methods -----------------------------------------------------------------------------

    def _block(self, number: int, full: bool) -> dict[str, Any] | None:
        if number > self.chain.head or number < 0:
            return None
        txs = sorted({e.tx_hash for e in self.chain.events(number, number)})
        block_hash = self.chain.block_hash(number)
        return {
            "baseFeePerGas": hex(10**9 + digest(self.chain.seed, "fee", number, size=3)[0] * 10**7),
            "difficulty": "0x0", "extraData": "0x", "gasLimit": hex(30_000_000),
            "gasUsed": hex(min(30_000_000, 21_000 * (len(txs) + 40))), "hash": block_hash,
            "logsBloom": "0x" + "00" * 256, "miner": "0x" + digest(self.chain.seed, "miner", number % 7, size=20).hex(),
            "mixHash": "0x" + digest(self.chain.seed, "mix", number).hex(), "nonce": "0x0000000000000000",
            "number": hex(number),
            "parentHash": self.chain.block_hash(number - 1) if number else "0x" + "00" * 32,
            "receiptsRoot": "0x" + digest(self.chain.seed, "receipts", block_hash).hex(),
            "sha3Uncles": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
            "size": hex(1_000 + 150 * len(txs)), "stateRoot": "0x" + digest(self.chain.seed, "state", block_hash).hex(),
            "timestamp": hex(self.chain.timestamp(number)),
            "transactions": [{"hash": h, "blockNumber": hex(number), "blockHash": block_hash} for h in txs]
            if full else txs,
            "transactionsRoot": "0x" + digest(self.chain.seed, "txroot", block_hash).hex(),
            "uncles": [],
        }

    def _get_block_by_number(self, params: list) -> Any:
        if not params:
            raise RpcError(-32602, "missing value for required argument 0")
        return self._block(self._block_number(params[0]), bool(params[1]) if len(params) > 1 else False)

    def _get_block_by_hash(self, params: list) -> Any:
        if not params or not isinstance(params[0], str):
            raise RpcError(-32602, "missing value for required argument 0")
        number = self.chain.block_of_hash(params[0])
        return None if number is None else self._block(number, bool(params[1]) if len(params) > 1 else False)

    def _refuse_logs(self, code: int, message: str) -> None:
        if self.logs_refusal == "http":
            raise HttpRefusalError(413, {"jsonrpc": "2.0", "id": None, "error": {"code": -32614, "message": message}})
        raise RpcError(code, message)

    def _get_logs(self, params: list) -> Any:
        if not params or not isinstance(params[0], dict):
            raise RpcError(-32602, "invalid argument 0: expected a filter object")
        query = params[0]
        head = self.chain.head
        if query.get("blockHash") is not None:
            if query.get("fromBlock") is not None or query.get("toBlock") is not None:
                raise RpcError(-32602, "invalid argument 0: cannot specify both BlockHash and FromBlock/ToBlock, "
                                       "choose one or the other")
            low = high = self.chain.block_of_hash(str(query["blockHash"]))
            if low is None:
                raise RpcError(-32000, "unknown block")
        else:
            low = self._block_number(query.get("fromBlock"))
            high = self._block_number(query.get("toBlock"))
            if low > high:
                raise RpcError(-32602, "invalid block range params")
            if low > head:
                return []
            high = min(high, head)
        if self.max_block_range is not None and high - low + 1 > self.max_block_range:
            k = f"{self.max_block_range // 1000}K" if self.max_block_range % 1000 == 0 else str(self.max_block_range)
            self._refuse_logs(-32602, (
                f"Log response size exceeded. You can make eth_getLogs requests with up to a {k} block range and no "
                f"limit on the response size, or you can request any block range with a cap of "
                f"{self.max_logs or 10_000:,} logs in the response. Based on your parameters and the response size "
                f"limit, this block range should work: [{hex(low)}, {hex(low + self.max_block_range - 1)}]"))
        emitters = self._emitters(query.get("address"))
        if emitters is not None and not emitters:
            return []
        topics = self._topics(query.get("topics"))
        events = [e for e in self.chain.events(low, high, emitters) if self._matches(e.topics, topics)]
        if self.max_logs is not None and len(events) > self.max_logs:
            upto = max(low, events[self.max_logs].block - 1)
            self._refuse_logs(-32005, f"query returned more than {self.max_logs} results. "
                                      f"Try with this block range [{hex(low)}, {hex(upto)}].")
        return [self._log(e) for e in events]

    def _emitters(self, address: Any) -> set[int] | None:
        if address is None:
            return None
        wanted = [address] if isinstance(address, str) else address
        if not isinstance(wanted, list) or not all(isinstance(a, str) for a in wanted):
            raise RpcError(-32602, "invalid argument 0: address must be a string or a list of strings")
        return {self.chain.by_address[a.lower()] for a in wanted if a.lower() in self.chain.by_address}

    @staticmethod
    def _topics(topics: Any) -> list[set[str] | None]:
        if topics is None:
            return []
        if not isinstance(topics, list) or len(topics) > 4:
            raise RpcError(-32602, "invalid argument 0: topics must be a list of at most 4 entries")
        out: list[set[str] | None] = []
        for entry in topics:
            if entry is None or entry == []:
                out.append(None)
            elif isinstance(entry, str):
                out.append({entry.lower()})
            elif isinstance(entry, list) and all(isinstance(t, str) for t in entry):
                out.append({t.lower() for t in entry})
            else:
                raise RpcError(-32602, "invalid argument 0: a topic must be null, a hash or a list of hashes")
        return out

    @staticmethod
    def _matches(log_topics: list[str], wanted: list[set[str] | None]) -> bool:
        for n, allowed in enumerate(wanted):
            if allowed is not None and (n >= len(log_topics) or log_topics[n] not in allowed):
                return False
        return True

    def _log(self, event: Event) -> dict[str, Any]:
        log: dict[str, Any] = {"address": event.emitter, "topics": event.topics, "data": event.data,
                               "blockHash": event.block_hash, "blockNumber": hex(event.block)}
        if self.block_timestamp_in_logs:
            log["blockTimestamp"] = hex(self.chain.timestamp(event.block))
        log.update({"transactionHash": event.tx_hash, "transactionIndex": hex(event.tx_index),
                    "logIndex": hex(event.log_index), "removed": event.removed})
        return log

    def _eth_call(self, params: list) -> Any:
        if not params or not isinstance(params[0], dict):
            raise RpcError(-32602, "missing value for required argument 0")
        call = params[0]
        block = self._block_number(params[1] if len(params) > 1 else "latest", allow_hash=True)
        if block > self.chain.head:
            raise RpcError(-32000, "header not found")
        to = str(call.get("to") or "").lower()
        data = str(call.get("data") or call.get("input") or "0x").removeprefix("0x")
        n = self.chain.by_address.get(to)
        if n is None:
            return "0x"  # no code at that address: an empty return, as a node answers
        contract = self.chain.emitters[n]
        name = SELECTORS.get(data[:8])
        argument = data[8:72]
        vault = isinstance(contract, Vault)
        if name == "decimals()":
            return _uint(contract.decimals)
        if name == "totalSupply()":
            return _uint(self.chain.vault_shares(block) if vault else self.chain.supply(to, block))
        if name == "symbol()" and not vault:
            return _string(contract.symbol)
        if name == "balanceOf(address)" and not vault and len(argument) == 64:
            balance = self.chain.balance(to, "0x" + argument[24:], block)
            return _uint(balance or 0)
        if vault and name in ("asset()", "totalAssets()", "convertToAssets(uint256)", "convertToShares(uint256)"):
            price, one = self.chain.price(self.chain.day_of_block(block)), 10**contract.decimals
            if name == "asset()":
                return "0x" + "0" * 24 + contract.asset[2:]
            if name == "totalAssets()":
                return _uint(self.chain.vault_shares(block) * price // one)
            if len(argument) == 64:
                amount = int(argument, 16)
                return _uint(amount * price // one if name.startswith("convertToAssets") else amount * one // price)
        raise RpcError(-32000, "execution reverted")

    # -- the truth -----------------------------------------------------------------------------

    def day_blocks(self, day: date) -> tuple[int, int]:
        """First and last block of a UTC day."""
        return self.chain.day_blocks(day)

    def _day_events(self, address: str, day: date) -> list[Event]:
        first, last = self.chain.day_blocks(day)
        n = self.chain.by_address[address.lower()]
        return [e for e in self.chain.events(first, last, {n}) if not e.removed]

    def transfers(self, token: str, day: date) -> list[dict[str, Any]]:
        """The token's Transfer logs of a UTC day (up to the head), removed copies left out.

        Each: tx_hash, log_index, block, block_time, kind (transfer, mint, burn), from, to, amount.
        """
        return [{"tx_hash": e.tx_hash, "log_index": e.log_index, "block": e.block,
                 "block_time": self.chain.timestamp(e.block), "kind": e.kind, "from": e.sender, "to": e.receiver,
                 "amount": e.amount} for e in self._day_events(token, day)]

    def supply(self, token: str, block: int) -> int:
        """totalSupply() at `block`: initial supply + mints - burns up to and including it."""
        return self.chain.supply(token, block)

    def balance(self, token: str, holder: str, block: int) -> int:
        """balanceOf(holder) at `block` for a configured holder."""
        balance = self.chain.balance(token, holder, block)
        if balance is None:
            raise KeyError(f"{holder} is not a configured holder of {token}")
        return balance

    def vault_nav(self, day: date) -> int:
        """The vault's share price on `day`: assets per 10**decimals shares (convertToAssets(10**decimals))."""
        return self.chain.price(day)

    def vault_events(self, day: date) -> list[dict[str, Any]]:
        """The vault's Deposit and Withdraw logs of a UTC day: tx_hash, log_index, block, kind, sender,
        owner, receiver, assets, shares."""
        assert self.vault is not None
        return [{"tx_hash": e.tx_hash, "log_index": e.log_index, "block": e.block, "kind": e.kind,
                 "sender": e.sender, "owner": e.owner or e.receiver, "receiver": e.receiver, "assets": e.amount,
                 "shares": e.shares} for e in self._day_events(self.vault.address, day)]

    def vault_state(self, block: int) -> dict[str, int]:
        """The vault at `block`: total_supply (shares), total_assets, price (per 10**decimals shares)."""
        assert self.vault is not None
        price = self.chain.price(self.chain.day_of_block(block))
        shares = self.chain.vault_shares(block)
        return {"total_supply": shares, "total_assets": shares * price // 10**self.vault.decimals, "price": price}

    def days(self) -> list[date]:
        """The days with logs: history days, the window and the head's day."""
        last = self.chain.day_of_block(self.chain.head)
        return [self.chain.activity_from + timedelta(days=n) for n in range((last - self.chain.activity_from).days + 1)]


__all__ = ["PUBLIC_LIMITS", "ZERO_ADDRESS", "EvmMainnet", "Token", "Vault", "default_tokens"]
