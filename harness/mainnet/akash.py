"""A mainnet-shaped Akash REST (gRPC-gateway) provider on 127.0.0.1, and the truth a test checks against.

Routes (GET), in the JSON of ../shared/fixtures/akash and the v1beta5 protos:
/cosmos/base/tendermint/v1beta1/blocks/latest and /blocks/{height};
/akash/market/v1beta5/leases/list (filters.state|owner|dseq|gseq|oseq|provider,
pagination.limit|key|offset|count_total) and /leases/info (id.*; 404 when unknown);
/akash/deployment/v1beta4/deployments/info; /akash/provider/v1beta4/providers (and /{owner});
/akash/audit/v1/audit/attributes/list (the providers an auditor signed, as the recorded answer);
staking pool and params, mint inflation and annual provisions, distribution params, bank
supply by denom. State queries honour `x-cosmos-block-height`.

A pruned node (`earliest_height`) answers state queries below it, and block headers below it,
with the errors real nodes send (HTTP 500, gRPC code 2: "...version does not exist. Version
has either been pruned..." and "height N is not available, lowest height is M"); an archive
node (the default) serves every height. Limits default to 40 requests / 10 s per route.
"""

from __future__ import annotations

import base64
import re
import struct
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import orjson

from harness.akash.ledger import GPU_CATALOG, StakingCurve, bech32_address
from harness.loopback import Reply, Request
from harness.mainnet._akash_chain import USDC_IBC, AkashChain, Lease
from harness.mainnet._limits import Limits, Refusal
from harness.mainnet._seeded import digest
from harness.mainnet._server import Parsed, Provider
from harness.mainnet.volumes import MAINNET_VOLUMES, AkashVolumes

PUBLIC_LIMITS = Limits(window_s=10.0, per_method=40)
DEFAULT_PAGE = 100
KNOWN_DENOMS = ("uakt", "uact", USDC_IBC)  # what the registry prices; anything else must be flagged
STATES = ("active", "insufficient_funds", "closed")
BLOCKS = "/cosmos/base/tendermint/v1beta1/blocks/"
ROUTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"/cosmos/base/tendermint/v1beta1/blocks/latest"), BLOCKS + "latest"),
    (re.compile(r"/cosmos/base/tendermint/v1beta1/blocks/(?P<height>[^/]+)"), BLOCKS + "{height}"),
    (re.compile(r"/akash/market/v1beta5/leases/list"), "/akash/market/v1beta5/leases/list"),
    (re.compile(r"/akash/market/v1beta5/leases/info"), "/akash/market/v1beta5/leases/info"),
    (re.compile(r"/akash/deployment/v1beta4/deployments/info"), "/akash/deployment/v1beta4/deployments/info"),
    (re.compile(r"/akash/provider/v1beta4/providers"), "/akash/provider/v1beta4/providers"),
    (re.compile(r"/akash/provider/v1beta4/providers/(?P<owner>[^/]+)"), "/akash/provider/v1beta4/providers/{owner}"),
    (re.compile(r"/akash/audit/v1/audit/attributes/list"), "/akash/audit/v1/audit/attributes/list"),
    *[(re.compile(re.escape(p)), p) for p in (
        "/cosmos/staking/v1beta1/pool", "/cosmos/staking/v1beta1/params", "/cosmos/mint/v1beta1/inflation",
        "/cosmos/mint/v1beta1/annual_provisions", "/cosmos/distribution/v1beta1/params",
        "/cosmos/bank/v1beta1/supply/by_denom")],
]


class RestError(Exception):
    """An HTTP status and the gateway's error body ({"code": gRPC code, "message", "details": []})."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _dec(value: Decimal) -> str:
    return f"{value:.18f}"


def _coin(denom: str, amount: Decimal) -> dict[str, str]:
    return {"denom": denom, "amount": _dec(amount)}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class AkashMainnet(Provider):
    """Akash's REST API over days first_day..last_day (plus `history_days` before).

    Args:
        volumes: leases open at once and a day (`MAINNET_VOLUMES.akash` unless given).
        prefix: a path prefix to strip (plant an API key: prefix="/my-key"); requests without it
            are refused 403, as a provider refuses a wrong key.
        earliest_height: a pruned node's lowest retained height (None: an archive node).
        max_page: the largest `pagination.limit` served (larger ones are cut to it).
        limits: request windows (per route template), concurrency, flaky mode.

    Example:
        with AkashMainnet(date(2025, 6, 1), date(2025, 6, 30), volumes=TEST_VOLUMES.akash) as node:
            ... point the pipeline at node.url ...
            node.leases_active_on(date(2025, 6, 2))  # the truth
    """

    def __init__(self, first_day: date, last_day: date, *, volumes: AkashVolumes = MAINNET_VOLUMES.akash,
                 seed: int = 0, prefix: str = "", earliest_height: int | None = None, max_page: int = 1_000,
                 history_days: int = 1, head_margin: int = 100, chain_id: str = "akashnet-2",
                 limits: Limits = PUBLIC_LIMITS, **kwargs: Any) -> None:
        super().__init__(limits, name="akash-mainnet", **kwargs)
        self.seed, self.prefix = seed, prefix.rstrip("/")
        self.earliest_height, self.max_page = earliest_height, max_page
        self.chain = AkashChain(first_day, last_day, seed=seed, active_leases=volumes.active_leases,
                                created_per_day=volumes.leases_created_per_day,
                                closed_per_day=volumes.leases_closed_per_day, providers=volumes.providers,
                                closed_history=volumes.closed_history, history_days=history_days,
                                head_margin=head_margin, chain_id=chain_id)
        self.staking = StakingCurve(bond_denom="uakt", supply_at_genesis=250 * 10**12, bonded_ratio=0.55,
                                    inflation=0.14, community_tax=0.02)
        self._index: dict[tuple[str, int], list[int]] = {}
        self._indexed = 0

    # -- moving the chain ---------------------------------------------------------------------

    @property
    def head(self) -> int:
        return self.chain.head

    def advance(self, blocks: int) -> int:
        """Make `blocks` new blocks (leases open and close on schedule); returns the new head."""
        self.chain.head += blocks
        return self.chain.head

    # -- reading requests ----------------------------------------------------------------------

    def _parse(self, request: Request) -> Parsed | Reply:
        path = request.path
        if self.prefix:
            if not (path == self.prefix or path.startswith(self.prefix + "/")):
                return 403, orjson.dumps({"code": 7, "message": "missing or unknown API key in the URL path",
                                          "details": []})
            path = path[len(self.prefix):]
        for pattern, template in ROUTES:
            match = pattern.fullmatch(path)
            if match:
                return Parsed([template], (template, match.groupdict(), request.query, request.headers))
        return Parsed([path], (None, {}, request.query, request.headers))

    def _answer(self, parsed: Parsed) -> Reply:
        template, groups, query, headers = parsed.payload
        try:
            if template is None:
                raise RestError(404, 5, "Not Found")
            status, body = 200, self._route(template, groups, query, headers)
        except RestError as error:
            status, body = error.status, {"code": error.code, "message": error.message, "details": []}
            with self._lock:
                self._stats.errors[error.code] += 1
        return status, orjson.dumps(body)

    def _too_many(self, parsed: Parsed | None, refusal: Refusal) -> bytes:
        scope = f"for {refusal.method}" if refusal.method else "from your IP"
        return orjson.dumps({"code": 8, "message": f"rate limit exceeded {scope}; retry in {refusal.retry_after}s",
                             "details": []})

    def _internal_error(self, parsed: Parsed | None) -> bytes:
        return orjson.dumps({"code": 13, "message": "internal error", "details": []})

    def _height(self, headers: dict[str, str]) -> int:
        text = headers.get("x-cosmos-block-height")
        if text is None:
            return self.chain.head
        try:
            height = int(text)
        except ValueError:
            raise RestError(400, 3, f"invalid height header {text!r}") from None
        low = self.earliest_height or 1
        if height > self.chain.head or height < low:
            raise RestError(500, 2, (
                f"codespace sdk code 18: invalid request: failed to load state at height {height}; version mismatch "
                f"on immutable IAVL tree; version does not exist. Version has either been pruned, or is for a future "
                f"block height (latest height: {self.chain.head})"))
        return height

    def _route(self, template: str, groups: dict[str, str], query: dict[str, str], headers: dict[str, str]) -> Any:
        if template.startswith(BLOCKS):
            return self._block(groups.get("height", "latest"))
        height = self._height(headers)
        if template == "/akash/market/v1beta5/leases/list":
            return self._leases(query, height)
        if template == "/akash/market/v1beta5/leases/info":
            return self._lease_info(query, height)
        if template == "/akash/deployment/v1beta4/deployments/info":
            return self._deployment(query, height)
        if template == "/akash/provider/v1beta4/providers":
            items = [self._provider_json(p) for p in self.chain.providers]
            page, pagination = self._page(items, query)
            return {"providers": page, "pagination": pagination}
        if template == "/akash/audit/v1/audit/attributes/list":
            items = [self._audit_json(p) for p in self.chain.providers if p.auditor]
            page, pagination = self._page(items, query)
            return {"providers": page, "pagination": pagination}
        if template.endswith("{owner}"):
            provider = next((p for p in self.chain.providers if p.address == groups["owner"]), None)
            if provider is None:
                raise RestError(404, 5, f"invalid provider: address not found: {groups['owner']}")
            return {"provider": self._provider_json(provider)}
        return self._staking(template, query, height)

    # -- blocks --------------------------------------------------------------------------------

    def _block(self, which: str) -> dict[str, Any]:
        head = self.chain.head
        if which == "latest":
            height = head
        elif which.isdigit():
            height = int(which)
        else:
            raise RestError(400, 3, f"type mismatch, parameter: height, error: strconv.ParseInt: parsing {which!r}: "
                                    "invalid syntax")
        if height > head:
            raise RestError(400, 3, "requested block height is bigger then the chain length")
        lowest = self.earliest_height or 1
        if height < lowest:
            raise RestError(500, 2, f"height {height} is not available, lowest height is {lowest}")
        return self.block(height)

    def block(self, height: int) -> dict[str, Any]:
        """The blocks/{height} answer."""
        def h(*labels: object) -> str:
            return _b64(digest(self.seed, "akash-block", height, *labels))

        proposer = digest(self.seed, "proposer", height % 100, size=20)
        header = {"version": {"block": "11", "app": "0"}, "chain_id": self.chain.chain_id, "height": str(height),
                  "time": self.chain.time_text(height),
                  "last_block_id": {"hash": _b64(digest(self.seed, "akash-block", height - 1, "id")),
                                    "part_set_header": {"total": 1, "hash": h("parts-prev")}},
                  "last_commit_hash": h("commit"), "data_hash": h("data"), "validators_hash": h("vals"),
                  "next_validators_hash": h("vals"), "consensus_hash": h("consensus"), "app_hash": h("app"),
                  "last_results_hash": h("results"), "evidence_hash": h("evidence"), "proposer_address": _b64(proposer)}
        commit = {"height": str(height - 1), "round": 0,
                  "block_id": header["last_block_id"],
                  "signatures": [{"block_id_flag": "BLOCK_ID_FLAG_COMMIT",
                                  "validator_address": _b64(digest(self.seed, "validator", v, size=20)),
                                  "timestamp": self.chain.time_text(height),
                                  "signature": _b64(digest(self.seed, "commit-sig", height, v, size=64))}
                                 for v in range(3)]}
        txs = [_b64(digest(self.seed, "akash-tx", height, n, size=64)) for n in range(height % 3)]
        block = {"header": header, "data": {"txs": txs}, "evidence": {"evidence": []}, "last_commit": commit}
        sdk_header = {**header, "proposer_address": bech32_address(proposer, "akashvalcons")}
        return {"block_id": {"hash": h("id"), "part_set_header": {"total": 1, "hash": h("parts")}},
                "block": block, "sdk_block": {**block, "header": sdk_header}}

    # -- leases --------------------------------------------------------------------------------

    def _page_key(self, k: int) -> str:
        return _b64(struct.pack(">Q", k) + digest(self.seed, "page-key", k, size=12))

    def _page_start(self, key: str) -> int:
        try:
            raw = base64.b64decode(key, validate=True)
        except ValueError:
            raw = b""
        if len(raw) != 20 or digest(self.seed, "page-key", struct.unpack(">Q", raw[:8])[0], size=12) != raw[8:]:
            raise RestError(400, 3, "invalid request: invalid pagination key")
        return struct.unpack(">Q", raw[:8])[0]

    def _limit(self, query: dict[str, str]) -> int:
        try:
            limit = int(query.get("pagination.limit") or 0)
        except ValueError:
            raise RestError(400, 3, "type mismatch, parameter: pagination.limit") from None
        return min(limit or DEFAULT_PAGE, self.max_page)

    def _page(self, items: list[Any], query: dict[str, str]) -> tuple[list[Any], dict[str, Any]]:
        """A page of an in-memory list (providers), continuing from `pagination.key`."""
        start = self._page_start(query["pagination.key"]) if query.get("pagination.key") else int(
            query.get("pagination.offset") or 0)
        limit = self._limit(query)
        more = start + limit < len(items)
        total = str(len(items)) if query.get("pagination.count_total") == "true" else "0"
        return items[start:start + limit], {"next_key": self._page_key(start + limit) if more else None,
                                            "total": total}

    def _matcher(self, query: dict[str, str]):
        state = query.get("filters.state")
        if state and state not in STATES:
            raise RestError(400, 3, f"invalid request: invalid lease state {state!r}")
        wanted = {name: query[f"filters.{name}"] for name in ("owner", "dseq", "gseq", "oseq", "provider", "bseq")
                  if query.get(f"filters.{name}")}

        def matches(lease: Lease, now: str) -> bool:
            if state and now != state:
                return False
            return all(str(getattr(lease, name)) == value for name, value in wanted.items())
        return matches

    def _leases(self, query: dict[str, str], height: int) -> dict[str, Any]:
        matches = self._matcher(query)
        limit = self._limit(query)
        key = query.get("pagination.key")
        k = self._page_start(key) if key else 0
        skip = 0 if key else int(query.get("pagination.offset") or 0)
        n = self.chain.lease_count(height)
        page, next_key = [], None
        while k < n:
            found = self.chain.lease_at(k, height)
            if found is not None and matches(*found):
                if skip:
                    skip -= 1
                elif len(page) == limit:
                    next_key = self._page_key(k)
                    break
                else:
                    page.append(self.lease_json(*found, height))
            k += 1
        total = "0"
        if query.get("pagination.count_total") == "true":
            total = str(sum(1 for j in range(n) if (f := self.chain.lease_at(j, height)) and matches(*f)))
        return {"leases": page, "pagination": {"next_key": next_key, "total": total}}

    def lease_json(self, lease: Lease, state: str, height: int) -> dict[str, Any]:
        """One element of leases/list (v1beta5) at `height`."""
        closed = state != "active"
        settled_to = lease.closed_height if closed else height
        paid = lease.price * (settled_to - lease.created_height)
        withdrawn = (paid * Decimal("0.9")).quantize(Decimal(1))
        reason = ("lease_closed_invalid" if not closed else "lease_closed_reason_insufficient_funds"
                  if state == "insufficient_funds" else "lease_closed_owner")
        ident = {"owner": lease.owner, "dseq": str(lease.dseq), "gseq": lease.gseq, "oseq": lease.oseq,
                 "provider": lease.provider, "bseq": lease.bseq}
        return {"lease": {"id": ident, "state": state, "price": _coin(lease.denom, lease.price),
                          "created_at": str(lease.created_height),
                          "closed_on": str(lease.closed_height) if closed else "0", "reason": reason,
                          "reclamation": None},
                "escrow_payment": {
                    "id": {"aid": {"scope": "deployment", "xid": f"{lease.owner}/{lease.dseq}"},
                           "xid": f"{lease.gseq}/{lease.oseq}/{lease.provider}"},
                    "state": {"owner": lease.provider,
                              "state": "overdrawn" if state == "insufficient_funds" else "closed" if closed else "open",
                              "rate": _coin(lease.denom, lease.price),
                              "balance": _coin(lease.denom, Decimal(0) if closed else paid - withdrawn),
                              "unsettled": _coin(lease.denom, Decimal(0)),
                              "withdrawn": {"denom": lease.denom, "amount": str(withdrawn)}}}}

    def _ensure_index(self) -> None:
        n = self.chain.lease_count(self.chain.head)
        with self._lock:
            while self._indexed < n:
                lease = self.chain.lease(self._indexed)
                self._index.setdefault((lease.owner, lease.dseq), []).append(self._indexed)
                self._indexed += 1

    def _deployment_leases(self, owner: str, dseq: int, height: int) -> list[tuple[Lease, str]]:
        self._ensure_index()
        return [found for k in self._index.get((owner, dseq), []) if (found := self.chain.lease_at(k, height))]

    def _lease_info(self, query: dict[str, str], height: int) -> dict[str, Any]:
        try:
            owner, dseq = query["id.owner"], int(query["id.dseq"])
        except (KeyError, ValueError):
            raise RestError(400, 3, "invalid request: id.owner and id.dseq are required") from None
        for lease, state in self._deployment_leases(owner, dseq, height):
            if all(str(getattr(lease, name)) == query[f"id.{name}"] for name in ("gseq", "oseq", "provider", "bseq")
                   if query.get(f"id.{name}") is not None):
                return self.lease_json(lease, state, height)
        raise RestError(404, 5, "lease not found")

    def _deployment(self, query: dict[str, str], height: int) -> dict[str, Any]:
        try:
            owner, dseq = query["id.owner"], int(query["id.dseq"])
        except (KeyError, ValueError):
            raise RestError(400, 3, "invalid request: id.owner and id.dseq are required") from None
        leases = self._deployment_leases(owner, dseq, height)
        if not leases:
            raise RestError(404, 5, "deployment not found")
        closed = all(state != "active" for _, state in leases)
        created = str(min(lease.dseq for lease, _ in leases))
        groups = []
        for lease, state in sorted(leases, key=lambda found: found[0].gseq):
            attributes = []
            if lease.gpu_model:
                ram, interface, _ = GPU_CATALOG[lease.gpu_model]
                attributes.append({"key": f"vendor/nvidia/model/{lease.gpu_model}/ram/{ram}/interface/{interface}",
                                   "value": "true"})
            resource = {"id": 1, "cpu": {"units": {"val": "4000"}, "attributes": []},
                        "memory": {"quantity": {"val": str(16 * 2**30)}, "attributes": []},
                        "storage": [{"name": "default", "quantity": {"val": str(100 * 2**30)}, "attributes": []}],
                        "gpu": {"units": {"val": str(lease.gpu_count)}, "attributes": attributes},
                        "endpoints": [{"kind": "SHARED_HTTP", "sequence_number": 0}]}
            groups.append({"id": {"owner": owner, "dseq": str(dseq), "gseq": lease.gseq},
                           "state": "open" if state == "active" else "closed",
                           "group_spec": {"name": "dcloud",
                                          "requirements": {"signed_by": {"all_of": [], "any_of": []},
                                                           "attributes": []},
                                          "resources": [{"resource": resource, "count": 1,
                                                         "price": _coin(lease.denom, lease.price * Decimal(2))}]},
                           "created_at": created})
        denom = leases[0][0].denom
        deposit = _coin(denom, Decimal(5_000_000))
        return {"deployment": {"id": {"owner": owner, "dseq": str(dseq)}, "state": "closed" if closed else "active",
                               "hash": _b64(digest(self.seed, "deployment-hash", owner, dseq)),
                               "created_at": created, "reclamation": None},
                "groups": groups,
                "escrow_account": {"id": {"scope": "deployment", "xid": f"{owner}/{dseq}"},
                                   "state": {"owner": owner, "state": "closed" if closed else "open",
                                             "transferred": [_coin("uakt", Decimal(0))], "settled_at": str(height),
                                             "funds": [deposit],
                                             "deposits": [{"owner": owner, "height": created, "source": "balance",
                                                           "balance": deposit}]}}}

    def _provider_json(self, provider) -> dict[str, Any]:
        attributes = [{"key": "host", "value": "akash"}, {"key": "region", "value": "us-west"}]
        if provider.gpus:
            attributes.append({"key": "capabilities/gpu", "value": "nvidia"})
        for model in provider.gpus:
            ram, interface, _ = GPU_CATALOG[model]
            prefix = f"capabilities/gpu/vendor/nvidia/model/{model}"
            attributes += [{"key": prefix, "value": "true"}, {"key": f"{prefix}/ram/{ram}", "value": "true"},
                           {"key": f"{prefix}/interface/{interface}", "value": "true"}]
        return {"owner": provider.address, "host_uri": provider.host, "attributes": attributes,
                "info": {"email": "", "website": ""}}

    def _audit_json(self, provider) -> dict[str, Any]:
        signed = [a for a in self._provider_json(provider)["attributes"] if a["key"] != "host"]
        return {"owner": provider.address, "auditor": provider.auditor, "attributes": signed}

    # -- staking -------------------------------------------------------------------------------

    def _staking(self, template: str, query: dict[str, str], height: int) -> Any:
        state = self.staking.state(height)
        if template == "/cosmos/staking/v1beta1/params":
            return {"params": {"unbonding_time": "1814400s", "max_validators": 100, "max_entries": 7,
                               "historical_entries": 10000, "bond_denom": "uakt",
                               "min_commission_rate": "0.050000000000000000"}}
        if template == "/cosmos/staking/v1beta1/pool":
            return {"pool": {"not_bonded_tokens": str(state["not_bonded"]), "bonded_tokens": str(state["bonded"])}}
        if template == "/cosmos/mint/v1beta1/inflation":
            return {"inflation": _dec(state["inflation"])}
        if template == "/cosmos/mint/v1beta1/annual_provisions":
            return {"annual_provisions": _dec(state["annual_provisions"])}
        if template == "/cosmos/distribution/v1beta1/params":
            return {"params": {"community_tax": _dec(state["community_tax"]), "base_proposer_reward": _dec(Decimal(0)),
                               "bonus_proposer_reward": _dec(Decimal(0)), "withdraw_addr_enabled": True}}
        denom = query.get("denom", "")
        return {"amount": {"denom": denom, "amount": str(state["supply"] if denom == "uakt" else 0)}}

    # -- the truth -----------------------------------------------------------------------------

    def heights_of_day(self, day: date) -> tuple[int, int]:
        """First and last height of a UTC day."""
        return self.chain.day_heights(day)

    def seconds_per_block(self, day: date) -> float:
        """The day's seconds per block as headers give it (the next day's first block time minus the
        day's first, over its blocks)."""
        return self.chain.seconds_per_block(day)

    def _truth(self, lease: Lease) -> dict[str, Any]:
        closed = lease.closed_height if lease.closed_height <= self.chain.head else None
        return {"owner": lease.owner, "dseq": lease.dseq, "gseq": lease.gseq, "oseq": lease.oseq,
                "provider": lease.provider, "bseq": lease.bseq,
                "job_id": f"{lease.owner}/{lease.dseq}/{lease.gseq}/{lease.oseq}/{lease.provider}",
                "created_height": lease.created_height, "created_time": self.chain.time_ns(lease.created_height) / 1e9,
                "closed_height": closed, "closed_time": None if closed is None else self.chain.time_ns(closed) / 1e9,
                "state": lease.state_at(self.chain.head), "denom": lease.denom, "price": lease.price,
                "known_denom": lease.denom in KNOWN_DENOMS,
                "gpu_model": lease.gpu_model, "gpu_count": lease.gpu_count}

    def leases_at(self, height: int) -> list[dict[str, Any]]:
        """Every lease that exists at `height`, in listing order, with its state then (`state_then`)."""
        out = []
        for k in range(self.chain.lease_count(height)):
            found = self.chain.lease_at(k, height)
            if found is not None:
                out.append({**self._truth(found[0]), "state_then": found[1]})
        return out

    def leases_active_on(self, day: date) -> list[dict[str, Any]]:
        """Leases active at some height of a UTC day (created by its last height, not closed by its
        first), with created/closed heights and times (seconds), state at the head, price per block,
        denom, GPU model and count. Closing heights beyond the head show as None."""
        first, last = self.chain.day_heights(day)
        last = min(last, self.chain.head)
        out = []
        for k in range(self.chain.lease_count(last)):
            lease = self.chain.lease(k)
            if lease.created_height <= last and lease.closed_height > first:
                out.append(self._truth(lease))
        return out

    def leases_created_on(self, day: date) -> list[dict[str, Any]]:
        first, last = self.chain.day_heights(day)
        return [self._truth(self.chain.lease(k)) for k in range(self.chain.lease_count(min(last, self.chain.head)))
                if first <= self.chain.lease(k).created_height <= last]

    def leases_closed_on(self, day: date) -> list[dict[str, Any]]:
        first, last = self.chain.day_heights(day)
        last = min(last, self.chain.head)
        return [self._truth(self.chain.lease(k)) for k in range(self.chain.lease_count(last))
                if first <= self.chain.lease(k).closed_height <= last]

    def days(self) -> list[date]:
        last = self.chain.day_of(self.chain.head)
        return [self.chain.activity_from + timedelta(days=n) for n in range((last - self.chain.activity_from).days + 1)]


__all__ = ["PUBLIC_LIMITS", "AkashMainnet", "RestError"]
