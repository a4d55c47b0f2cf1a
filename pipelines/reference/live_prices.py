"""Optional live token prices: CoinGecko's daily history, cached on disk, -> raw.token_prices (source='live').

Off unless configured (DEPINLENS_COINGECKO_IDS="AKT=akash-network,RENDER=render-token"; check
each id on coingecko.com, the registry does not hold them). One request per coin per day to
`GET /coins/{id}/history?date=DD-MM-YYYY`, whose `market_data.current_price.usd` is the price
at 00:00 UTC of that day. Answers for days before today (UTC) are final, so they are kept
under `<cache_dir>/coingecko/<id>/<day>.json` and never asked for again; today's is not
cached. The free API allows about 30 requests a minute: the endpoint's budget keeps to that and waits
as a 429's Retry-After asks.
Tests point the base URL at a loopback server; nothing in the test suite reaches the internet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from depinlens.bounds import TOKEN_PRICE_USD
from pipelines.chains.errors import MalformedResponse
from pipelines.http import Budget, Endpoint
from pipelines.reference.token_prices import TOKEN_PRICES_SCHEMA

DEFAULT_URL = "https://api.coingecko.com/api/v3"


def parse_coingecko_ids(text: str) -> dict[str, str]:
    """"AKT=akash-network, RENDER=render-token" -> {"AKT": "akash-network", ...}."""
    ids = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        symbol, sep, coin = item.partition("=")
        if not sep or not symbol.strip() or not coin.strip():
            raise ValueError(f"DEPINLENS_COINGECKO_IDS item {item!r} is not SYMBOL=coingecko-id")
        ids[symbol.strip()] = coin.strip()
    return ids


class CoinGeckoPrices:
    """Daily USD prices of CoinGecko coins, each (coin, past day) fetched once and cached.

    Args:
        cache_dir: where answers are kept (created when needed).
        base_url: the API root (a loopback server in tests).
        api_key: sent as `api_key_header` when given (CoinGecko demo or pro keys).
        today: the current UTC day (answers for it and later are not cached).
    """

    def __init__(self, cache_dir: Path | str, *, base_url: str = DEFAULT_URL, api_key: str | None = None,
                 api_key_header: str = "x-cg-demo-api-key", today: date | None = None, max_attempts: int = 5,
                 max_wait_s: float = 20.0, max_throttle_s: float = 600.0) -> None:
        self.cache_dir = Path(cache_dir) / "coingecko"
        self.base_url = base_url.rstrip("/")
        self.today = today or datetime.now(UTC).date()
        headers = {api_key_header: api_key} if api_key else None
        # CoinGecko's free (demo) plan allows about 30 calls a minute
        budget = Budget.parse(f"total=30/60s,concurrency=1,max_throttle_s={max_throttle_s}")
        self._rest = Endpoint("coingecko", self.base_url, budget=budget,
                              headers=headers, max_attempts=max_attempts, max_wait_s=max_wait_s)
        self.requests = 0

    def close(self) -> None:
        """Close the connection pool."""
        self._rest.close()

    def history_url(self, coin: str, day: date) -> str:
        """The public URL of one day's answer (no key), recorded as source_ref."""
        return f"{self.base_url}/coins/{coin}/history?date={day:%d-%m-%Y}"

    def _answer(self, coin: str, day: date) -> Any:
        cached = self.cache_dir / coin / f"{day.isoformat()}.json"
        if cached.exists():
            return json.loads(cached.read_text())
        self.requests += 1
        answer = self._rest.request("GET", f"/coins/{coin}/history", method="/coins/{id}/history",
                                    params={"date": f"{day:%d-%m-%Y}", "localization": "false"}, detail=str(day))
        if day < self.today:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(answer))
        return answer

    def usd(self, coin: str, day: date) -> float | None:
        """USD price of `coin` at 00:00 UTC on `day`; None when CoinGecko has no market data for it."""
        answer = self._answer(coin, day)
        if not isinstance(answer, dict):
            raise MalformedResponse("answer is not an object", chain="coingecko", method=f"coins/{coin}/history",
                                    detail=str(day))
        market = answer.get("market_data")
        if market is None:
            return None
        usd = market.get("current_price", {}).get("usd") if isinstance(market, dict) else None
        problem = TOKEN_PRICE_USD.problem(usd)
        if problem:
            raise MalformedResponse(f"market_data.current_price.usd {usd!r:.40} {problem}", chain="coingecko",
                                    method=f"coins/{coin}/history", detail=str(day))
        return float(usd)


def fetch_live_token_prices(prices: CoinGeckoPrices, ids: Mapping[str, str], first_day: date, last_day: date,
                            *, fetched_at: datetime | None = None) -> pa.Table:
    """raw.token_prices rows (source='live') for every token in `ids` and day in the window up to today."""
    fetched_at = fetched_at or datetime.now(UTC)
    rows = []
    for symbol, coin in sorted(ids.items()):
        day = first_day
        while day <= min(last_day, prices.today):
            usd = prices.usd(coin, day)
            if usd is not None:
                rows.append({"token": symbol, "day": day, "usd": usd, "source": "live",
                             "source_name": f"CoinGecko coins/{coin}/history (00:00 UTC)",
                             "source_ref": prices.history_url(coin, day), "fetched_at": fetched_at})
            day += timedelta(days=1)
    return pa.Table.from_pylist(rows, schema=TOKEN_PRICES_SCHEMA)
