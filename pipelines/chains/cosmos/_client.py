"""The Akash node's Cosmos REST (gRPC-gateway) API through the project's HTTP layer.

Every method returns the gateway's JSON as sent (decoding is in the pure modules beside this
one), except block times, which are parsed and cached per height.

Market queries use v1beta5 (mainnet since the 2025 upgrade) and fall back to v1beta4 when the
node answers 404/501 for it; deployment queries likewise try v1beta4, then v1beta3. Leases are
listed by state (`filters.state=active`), so a run's cost follows the active leases, not the
chain's history. State at a past height (`x-cosmos-block-height`) needs an archive node.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

import httpx

from pipelines.chains.cosmos._blocks import heights_of_days, parse_block_header
from pipelines.chains.errors import MalformedResponse, RpcRefused
from pipelines.http import UNLIMITED, Budget, Endpoint

LEASE_PATHS = {"v1beta5": "/akash/market/v1beta5/leases/list", "v1beta4": "/akash/market/v1beta4/leases/list"}
LEASE_INFO_PATHS = {"v1beta5": "/akash/market/v1beta5/leases/info", "v1beta4": "/akash/market/v1beta4/leases/info"}
DEPLOYMENT_PATHS = ("/akash/deployment/v1beta4/deployments/info", "/akash/deployment/v1beta3/deployments/info")
PROVIDERS_PATH = "/akash/provider/v1beta4/providers"
AUDITS_PATH = "/akash/audit/v1/audit/attributes/list"  # GetBlock's Akash REST reference (fixtures/PROVENANCE.md)
BLOCKS_PATH = "/cosmos/base/tendermint/v1beta1/blocks"
HEIGHT_HEADER = "x-cosmos-block-height"
STAKING_PATHS = {
    "staking_params": "/cosmos/staking/v1beta1/params",
    "pool": "/cosmos/staking/v1beta1/pool",
    "inflation": "/cosmos/mint/v1beta1/inflation",
    "annual_provisions": "/cosmos/mint/v1beta1/annual_provisions",
    "distribution_params": "/cosmos/distribution/v1beta1/params",
}
SUPPLY_PATH = "/cosmos/bank/v1beta1/supply/by_denom"
NOT_SERVED = (404, 501)


class AkashClient:
    """One Akash node's REST gateway.

    Args:
        chain: registry id of the chain (used in errors and rows).
        rest_url: the gateway's base URL (may carry an API key: errors show scheme and host only).
        page_limit: items per page of list queries.
        earliest_height: the first height the node serves (1 on an archive node).
        budget, timeout_s, max_attempts, max_wait_s, transport: see pipelines.http.Endpoint.
    """

    def __init__(self, chain: str, rest_url: str, *, page_limit: int = 1000, earliest_height: int = 1,
                 budget: Budget = UNLIMITED, timeout_s: float = 30.0, max_attempts: int = 5, max_wait_s: float = 8.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.chain = chain
        self.page_limit = page_limit
        self.earliest_height = earliest_height
        self.market_version: str | None = None
        self.endpoint = Endpoint(chain, rest_url, budget=budget, timeout_s=timeout_s, max_attempts=max_attempts,
                                 max_wait_s=max_wait_s, transport=transport)
        self.label = self.endpoint.label
        self._times: dict[int, datetime] = {}

    def close(self) -> None:
        """Close the connection pool."""
        self.endpoint.close()

    def __enter__(self) -> AkashClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, height: int | None = None,
            detail: str = "", method: str | None = None) -> Any:
        """GET `path` (at `height` when given) and return the JSON answer; `method` names the route for the
        budget (blocks/{height} share one bucket)."""
        headers = {HEIGHT_HEADER: str(height)} if height is not None else None
        return self.endpoint.request("GET", path, method=method or path, params=params, headers=headers,
                                     detail=detail)

    # blocks ---------------------------------------------------------------------------------

    def latest_block(self) -> tuple[int, datetime]:
        """(height, time) of the node's newest block."""
        path = f"{BLOCKS_PATH}/latest"
        height, stamp = parse_block_header(self.get(path), chain=self.label, method=path)
        self._times[height] = stamp
        return height, stamp

    def remember_block_times(self, times: Mapping[int, datetime]) -> None:
        """Block times known from elsewhere (day boundaries stored by earlier runs)."""
        self._times.update(times)

    def known_block_time(self, height: int) -> datetime | None:
        return self._times.get(height)

    def block_time(self, height: int) -> datetime:
        """Time of block `height`, read from its header once and cached."""
        if height not in self._times:
            path = f"{BLOCKS_PATH}/{height}"
            answer = self.get(path, detail=f"height {height}", method=f"{BLOCKS_PATH}/{{height}}")
            found, stamp = parse_block_header(answer, chain=self.label, method=path)
            if found != height:
                raise MalformedResponse(f"asked for block {height}, got {found}", chain=self.label, method=path)
            self._times[height] = stamp
        return self._times[height]

    def block_times(self, heights: Iterable[int]) -> dict[int, datetime]:
        """Times of many blocks: the headers not cached yet read concurrently (within the endpoint's budget), since
        a day's leases name hundreds of creation heights and each read is one round trip."""
        wanted = sorted(set(heights))
        self.endpoint.map_concurrently(self.block_time, [h for h in wanted if h not in self._times])
        return {h: self._times[h] for h in wanted}

    def heights_of_days(self, first_day: date, last_day: date, latest: tuple[int, datetime]) -> tuple[int, int] | None:
        """Heights of the blocks made on UTC days first_day..last_day, up to `latest`."""
        return heights_of_days(first_day, last_day, latest=latest, earliest=self.earliest_height,
                               time_of=self.block_time, known=self._times)

    # lists ----------------------------------------------------------------------------------

    def pages(self, path: str, list_key: str, params: Mapping[str, Any] | None = None) -> Iterator[list]:
        """Every page of a paginated list query, following `pagination.next_key`."""
        key: str | None = None
        page = 0
        while True:
            query = {**(params or {}), "pagination.limit": self.page_limit}
            if key:
                query["pagination.key"] = key
            answer = self.get(path, query, detail=f"page {page}")
            items = answer.get(list_key) if isinstance(answer, dict) else None
            if not isinstance(items, list):
                raise MalformedResponse(f"answer has no {list_key!r} list", chain=self.label, method=path,
                                        detail=f"page {page}")
            yield items
            pagination = answer.get("pagination") or {}
            key = pagination.get("next_key") if isinstance(pagination, dict) else None
            if not key or not items:
                return
            page += 1

    def _versioned(self, paths: Mapping[str, str], call):
        """`call(path)` on the newest market API version the node serves (remembered once found)."""
        versions = [self.market_version] if self.market_version else list(paths)
        for version in versions:
            try:
                result = call(paths[version])
            except RpcRefused as exc:
                if exc.code in NOT_SERVED and version != versions[-1]:
                    continue
                raise
            self.market_version = version
            return result
        raise AssertionError("unreachable")

    def lease_pages(self, state: str | None = None) -> Iterator[list]:
        """Every lease (in `state`: active, closed, insufficient_funds) with its escrow payment."""
        params = {"filters.state": state} if state else {}

        def first_and_rest(path: str):
            pages = self.pages(path, "leases", params)
            return next(pages), pages

        first, rest = self._versioned(LEASE_PATHS, first_and_rest)
        yield first
        yield from rest

    def lease_info(self, owner: str, dseq: int, gseq: int, oseq: int, provider: str, bseq: int | None) -> Any:
        """One lease with its escrow payment (`leases/info`), None when the node does not know it."""
        params: dict[str, Any] = {"id.owner": owner, "id.dseq": dseq, "id.gseq": gseq, "id.oseq": oseq,
                                  "id.provider": provider}
        if bseq:
            params["id.bseq"] = bseq
        try:
            return self._versioned(LEASE_INFO_PATHS, lambda path: self.get(
                path, params, detail=f"{owner}/{dseq}/{gseq}/{oseq}/{provider}"))
        except RpcRefused as exc:
            if exc.code == 404 or "not found" in str(exc).lower():
                return None
            raise

    def providers(self) -> list[dict]:
        """Every registered provider with its attributes."""
        return [p for page in self.pages(PROVIDERS_PATH, "providers") for p in page]

    def audited_attributes(self) -> list[dict]:
        """Every provider's attributes signed by an auditor (one entry per provider and auditor)."""
        return [a for page in self.pages(AUDITS_PATH, "providers") for a in page]

    def deployment(self, owner: str, dseq: int) -> dict | None:
        """A deployment with its groups (None if the node does not know it)."""
        for path in DEPLOYMENT_PATHS:
            try:
                return self.get(path, {"id.owner": owner, "id.dseq": dseq}, detail=f"{owner}/{dseq}")
            except RpcRefused as exc:
                if exc.code == 501:
                    continue  # this API version is not served; try the older one
                if exc.code == 404 or "not found" in str(exc).lower():
                    return None
                raise
        return None

    # staking --------------------------------------------------------------------------------

    def staking_state(self, height: int | None) -> dict[str, Any]:
        """The staking pool, staking/mint/distribution answers and the bond denom's supply at `height`
        (the latest state when None)."""
        detail = f"height {height}" if height is not None else "latest"
        answers = {name: self.get(path, height=height, detail=detail) for name, path in STAKING_PATHS.items()}
        params = answers["staking_params"].get("params") if isinstance(answers["staking_params"], dict) else None
        denom = params.get("bond_denom") if isinstance(params, dict) else None
        if not isinstance(denom, str) or not denom:
            raise MalformedResponse("staking params carry no bond_denom", chain=self.label,
                                    method=STAKING_PATHS["staking_params"], detail=detail)
        answers["supply"] = self.get(SUPPLY_PATH, {"denom": denom}, height=height, detail=detail)
        return answers
