"""A loopback Akash REST node: serves a generated ledger in the gateway's exact JSON.

Routes (GET): blocks (latest and by height), market leases list (v1beta5, or v1beta4 when
started with api="v1beta4"; the other version answers 501 like a node without it; `filters.state`)
and lease info,
deployments info, providers list, audited attributes list (audit/v1), staking params and pool, mint inflation and annual
provisions, distribution params, supply by denom. Lists page with `pagination.limit` and
`pagination.key` (base64, opaque); state queries honour `x-cosmos-block-height`.

`intercept(path, query, headers)` may answer instead (status, body bytes) to inject faults.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from harness.akash.ledger import GPU_CATALOG, AkashLedger, Lease
from harness.loopback import LoopbackServer, Request

Intercept = Callable[[str, dict[str, str], dict[str, str]], "tuple[int, bytes] | None"]
NOT_IMPLEMENTED = (501, {"code": 12, "message": "Not Implemented", "details": []})


def _dec(value: Decimal) -> str:
    return f"{value:.18f}"


def _coin(denom: str, amount: Decimal) -> dict:
    return {"denom": denom, "amount": _dec(amount)}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class AkashRestServer:
    """The ledger on http://127.0.0.1:<free port>; use as a context manager (stopped on exit)."""

    def __init__(self, ledger: AkashLedger, *, api: str = "v1beta5", intercept: Intercept | None = None,
                 head: int | None = None) -> None:
        if api not in ("v1beta5", "v1beta4"):
            raise ValueError(f"api must be v1beta5 or v1beta4, not {api!r}")
        self.ledger, self.api, self.intercept = ledger, api, intercept
        # `head`: serve the chain as it stood at that height (later leases unseen, later closes still open),
        # so a test can run the pipeline on one day and again on a later one
        self.head = min(head or ledger.timing.head, ledger.timing.head)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._loopback = LoopbackServer(self._respond, name="akash-rest")
        self.url = self._loopback.url

    def _respond(self, request: Request) -> tuple[int, bytes]:
        self.requests.append((request.path, request.query))
        answer = self.intercept(request.path, request.query, request.headers) if self.intercept else None
        if answer is not None:
            return answer
        try:
            status, body = self.answer(request.path, request.query, request.headers)
        except Exception as exc:  # noqa: BLE001 - a node answers 500 rather than hanging up
            status, body = 500, {"code": 13, "message": f"internal: {exc!r}", "details": []}
        return status, json.dumps(body).encode()

    def __enter__(self) -> AkashRestServer:
        self._loopback.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._loopback.stop()

    # routing --------------------------------------------------------------------------------

    def answer(self, path: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, Any]:
        """(HTTP status, JSON body) for one GET."""
        head = self.head
        try:
            height = int(headers.get("x-cosmos-block-height") or head)
        except ValueError:
            return 400, {"code": 3, "message": "invalid height header", "details": []}
        if height > head or height < 1:
            return 400, {"code": 3, "message": f"height {height} is not available, latest is {head}",
                         "details": []}
        blocks = "/cosmos/base/tendermint/v1beta1/blocks/"
        if path.startswith(blocks):
            tail = path[len(blocks):]
            if tail != "latest" and not tail.isdigit():
                return 400, {"code": 3, "message": f"invalid height {tail!r}", "details": []}
            wanted = head if tail == "latest" else int(tail)
            if wanted > head or wanted < 1:
                return 400, {"code": 3, "message": "requested block height is bigger then the chain length",
                             "details": []}
            return 200, self.block(wanted)
        if path == f"/akash/market/{self.api}/leases/list":
            wanted = query.get("filters.state")
            return self.page(query, "leases", [self.lease(lease) for lease in self.leases()
                                               if not wanted or lease.state == wanted])
        if path == f"/akash/market/{self.api}/leases/info":
            return self.lease_info(query)
        if path == "/akash/deployment/v1beta4/deployments/info":
            return self.deployment(query)
        if path == "/akash/provider/v1beta4/providers":
            return self.page(query, "providers", [self.provider(p) for p in self.ledger.providers])
        if path == "/akash/audit/v1/audit/attributes/list":
            return self.page(query, "providers", [self.audit(p) for p in self.ledger.providers if p.auditor])
        staking = self.staking(path, query, height)
        if staking is not None:
            return staking
        return NOT_IMPLEMENTED

    def page(self, query: dict[str, str], key: str, items: list) -> tuple[int, Any]:
        """One page of `items`, continuing from the opaque `pagination.key`."""
        try:
            limit = int(query.get("pagination.limit", 100))
            offset = int(base64.b64decode(query["pagination.key"]).decode()) if query.get("pagination.key") else 0
        except (ValueError, UnicodeDecodeError):
            return 400, {"code": 3, "message": "invalid pagination", "details": []}
        chunk = items[offset:offset + limit]
        more = offset + limit < len(items)
        next_key = _b64(str(offset + limit).encode()) if more else None
        return 200, {key: chunk, "pagination": {"next_key": next_key, "total": "0"}}

    # renderers ------------------------------------------------------------------------------

    def block(self, height: int) -> dict:
        """A `blocks/{height}` answer."""
        stamp = self.ledger.timing.time_of(height)
        text = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond:06d}000Z"
        digest = hashlib.sha256(f"{self.ledger.chain_id}:{height}".encode()).digest()
        header = {"version": {"block": "11", "app": "0"}, "chain_id": self.ledger.chain_id, "height": str(height),
                  "time": text, "last_block_id": {"hash": _b64(hashlib.sha256(str(height - 1).encode()).digest()),
                                                  "part_set_header": {"total": 1, "hash": _b64(digest)}},
                  "proposer_address": _b64(digest[:20])}
        return {"block_id": {"hash": _b64(digest), "part_set_header": {"total": 1, "hash": _b64(digest)}},
                "block": {"header": header, "data": {"txs": []}, "evidence": {"evidence": []}, "last_commit": None},
                "sdk_block": {"header": header, "data": {"txs": []}, "evidence": {"evidence": []},
                              "last_commit": None}}

    def lease(self, lease: Lease) -> dict:
        """One element of `leases/list` in this server's API version."""
        head = self.head
        settled_to = lease.closed_height or head
        paid = lease.price * (settled_to - lease.created_height)
        withdrawn = (paid * Decimal("0.9")).quantize(Decimal(1))
        ident = {"owner": lease.owner, "dseq": str(lease.dseq), "gseq": lease.gseq, "oseq": lease.oseq,
                 "provider": lease.provider}
        body = {"state": lease.state, "price": _coin(lease.denom, lease.price), "created_at": str(lease.created_height),
                "closed_on": str(lease.closed_height)}
        payment_state = "open" if lease.state == "active" else "overdrawn" if lease.state == "insufficient_funds" \
            else "closed"
        account = {"scope": "deployment", "xid": f"{lease.owner}/{lease.dseq}"}
        payment_xid = f"{lease.gseq}/{lease.oseq}/{lease.provider}"
        if self.api == "v1beta4":
            return {"lease": {"lease_id": ident, **body},
                    "escrow_payment": {"account_id": account, "payment_id": payment_xid, "owner": lease.provider,
                                       "state": payment_state, "rate": _coin(lease.denom, lease.price),
                                       "balance": _coin(lease.denom, paid - withdrawn),
                                       "withdrawn": {"denom": lease.denom, "amount": str(withdrawn)}}}
        return {"lease": {"id": ident, **body},
                "escrow_payment": {"id": {"aid": account, "xid": payment_xid},
                                   "state": {"owner": lease.provider, "state": payment_state,
                                             "rate": _coin(lease.denom, lease.price),
                                             "balance": _coin(lease.denom, paid - withdrawn),
                                             "unsettled": _coin(lease.denom, Decimal(0)),
                                             "withdrawn": {"denom": lease.denom, "amount": str(withdrawn)}}}}

    def leases(self) -> list[Lease]:
        """The ledger's leases as they stood at this server's head."""
        seen = []
        for lease in self.ledger.leases:
            if lease.created_height > self.head:
                continue
            if lease.closed_height > self.head:
                lease = dataclasses.replace(lease, state="active", closed_height=0)
            seen.append(lease)
        return seen

    def lease_info(self, query: dict[str, str]) -> tuple[int, Any]:
        """A `leases/info` answer: the lease and its escrow payment (404 for an unknown lease)."""
        wanted = "/".join(query.get(f"id.{k}", "") for k in ("owner", "dseq", "gseq", "oseq", "provider"))
        for lease in self.leases():
            if lease.job_id == wanted:
                return 200, self.lease(lease)
        return 404, {"code": 5, "message": f"lease not found: {wanted}", "details": []}

    def deployment(self, query: dict[str, str]) -> tuple[int, Any]:
        """A `deployments/info` answer (404 for an unknown deployment)."""
        try:
            key = (query["id.owner"], int(query["id.dseq"]))
        except (KeyError, ValueError):
            return 400, {"code": 3, "message": "id.owner and id.dseq are required", "details": []}
        deployment = self.ledger.deployments.get(key)
        if deployment is None:
            return 404, {"code": 5, "message": "deployment not found", "details": []}
        owner, dseq = key
        closed = all(lease.closed_height for lease in self.ledger.leases if (lease.owner, lease.dseq) == key)
        groups = []
        for group in deployment.groups:
            attributes = []
            for model in group.models:
                ram, interface, _ = GPU_CATALOG[model]
                attributes.append({"key": f"vendor/nvidia/model/{model}/ram/{ram}/interface/{interface}",
                                   "value": "true"})
            if group.gpu_units and not group.models:
                attributes.append({"key": "vendor/nvidia/model/*", "value": "true"})
            resource = {"id": 1, "cpu": {"units": {"val": "4000"}, "attributes": []},
                        "memory": {"quantity": {"val": str(16 * 2**30)}, "attributes": []},
                        "storage": [{"name": "default", "quantity": {"val": str(100 * 2**30)}, "attributes": []}],
                        "gpu": {"units": {"val": str(group.gpu_units)}, "attributes": attributes},
                        "endpoints": [{"kind": "SHARED_HTTP", "sequence_number": 0}]}
            groups.append({"id": {"owner": owner, "dseq": str(dseq), "gseq": group.gseq},
                           "state": "closed" if closed else "open",
                           "group_spec": {"name": "dcloud",
                                          "requirements": {"signed_by": {"all_of": [], "any_of": []},
                                                           "attributes": []},
                                          "resources": [{"resource": resource, "count": group.count,
                                                         "price": {"denom": "uakt", "amount": _dec(Decimal(1000))}}]},
                           "created_at": str(deployment.created_height)})
        state = "closed" if closed else "active"
        return 200, {"deployment": {"id": {"owner": owner, "dseq": str(dseq)}, "state": state,
                                    "hash": _b64(hashlib.sha256(f"{owner}{dseq}".encode()).digest()),
                                    "created_at": str(deployment.created_height)},
                     "groups": groups,
                     "escrow_account": {"id": {"scope": "deployment", "xid": f"{owner}/{dseq}"},
                                        "state": {"owner": owner, "state": "closed" if closed else "open",
                                                  "transferred": [], "settled_at": str(self.head),
                                                  "funds": [], "deposits": []}}}

    def provider(self, provider) -> dict:
        """One element of the providers list, with its GPU capability attributes."""
        attributes = [{"key": "region", "value": "us-west"}, {"key": "capabilities/gpu", "value": "nvidia"}]
        for model in provider.gpus:
            ram, interface, _ = GPU_CATALOG[model]
            prefix = f"capabilities/gpu/vendor/nvidia/model/{model}"
            attributes += [{"key": prefix, "value": "true"}, {"key": f"{prefix}/ram/{ram}", "value": "true"},
                           {"key": f"{prefix}/interface/{interface}", "value": "true"}]
        return {"owner": provider.address, "host_uri": f"https://{provider.name}:8443", "attributes": attributes,
                "info": {"email": "", "website": ""}}

    def audit(self, provider) -> dict:
        """One element of the audited attributes list: the auditor's signed attributes of a provider."""
        signed = [a for a in self.provider(provider)["attributes"] if a["key"].startswith(("region", "capabilities"))]
        return {"owner": provider.address, "auditor": provider.auditor, "attributes": signed}

    def staking(self, path: str, query: dict[str, str], height: int) -> tuple[int, Any] | None:
        """Staking, mint, distribution and supply answers at `height` (None for other paths)."""
        curve = self.ledger.staking
        state = curve.state(height)
        if path == "/cosmos/staking/v1beta1/params":
            return 200, {"params": {"unbonding_time": "1814400s", "max_validators": 100, "max_entries": 7,
                                    "historical_entries": 10000, "bond_denom": curve.bond_denom,
                                    "min_commission_rate": "0.050000000000000000"}}
        if path == "/cosmos/staking/v1beta1/pool":
            return 200, {"pool": {"not_bonded_tokens": str(state["not_bonded"]), "bonded_tokens": str(state["bonded"])}}
        if path == "/cosmos/mint/v1beta1/inflation":
            return 200, {"inflation": _dec(state["inflation"])}
        if path == "/cosmos/mint/v1beta1/annual_provisions":
            return 200, {"annual_provisions": _dec(state["annual_provisions"])}
        if path == "/cosmos/distribution/v1beta1/params":
            return 200, {"params": {"community_tax": _dec(state["community_tax"]),
                                    "base_proposer_reward": _dec(Decimal(0)), "bonus_proposer_reward": _dec(Decimal(0)),
                                    "withdraw_addr_enabled": True}}
        if path == "/cosmos/bank/v1beta1/supply/by_denom":
            denom = query.get("denom", "")
            amount = state["supply"] if denom == curve.bond_denom else 0
            return 200, {"amount": {"denom": denom, "amount": str(amount)}}
        return None
