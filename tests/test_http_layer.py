"""The one HTTP layer every chain family uses: budgets, Retry-After, refusals, batches, redaction.

Against a real loopback HTTP server that records when each request arrived and answers as a
provider would (429 with Retry-After, 4xx refusals, JSON-RPC errors, batches or not).
"""

from __future__ import annotations

import json
import ssl
import threading
import time

import pytest

from harness.loopback import LoopbackServer, Request
from pipelines.chains.errors import RateLimited, RpcRefused
from pipelines.http import Budget, Endpoint, JsonRpc, parse_window, redact_url, retry_after_seconds, scrub
from pipelines.http._budget import GUARD_MIN_S, GUARD_SHARE
from pipelines.http._endpoint import tls_context


class Provider(LoopbackServer):
    """Answers JSON-RPC (single and batch) and records (arrival time, calls in the request)."""

    def __init__(self, answer=None) -> None:
        self.arrivals: list[tuple[float, int, object]] = []
        self.lock = threading.Lock()
        self.answer = answer or (lambda call, n: None)

        def respond(request: Request):
            body = json.loads(request.body)
            calls = body if isinstance(body, list) else [body]
            with self.lock:
                self.arrivals.append((time.monotonic(), len(calls), body))
                n = len(self.arrivals)
            special = self.answer(body, n)
            if special is not None:
                return special
            results = [{"jsonrpc": "2.0", "id": c["id"], "result": c["params"]} for c in calls]
            return 200, json.dumps(results if isinstance(body, list) else results[0]).encode()

        super().__init__(respond, keep_alive=True, name="provider")


def _most_in_any_window(arrivals: list[tuple[float, int, object]], seconds: float) -> int:
    times = sorted((t, n) for t, n, _ in arrivals)
    return max(sum(n for u, n in times if t <= u < t + seconds) for t, _ in times)


def test_a_budget_string_reads_like_a_providers_plan_and_refuses_what_it_cannot_read() -> None:
    budget = Budget.parse("total=100/10s,method=40/10s,concurrency=4,batch=40")
    assert (budget.total, budget.per_method, budget.concurrency, budget.batch) == (
        parse_window("100/10s"), parse_window("40/10s"), 4, 40)
    assert parse_window("20/s").seconds == 1 and parse_window("30/1min").seconds == 60
    assert Budget.parse("batch=100", budget).largest_request == 40  # a batch never exceeds a window
    with pytest.raises(ValueError, match="request budget item 'speed=9'"):
        Budget.parse("speed=9")
    with pytest.raises(ValueError, match="not a request rate"):
        Budget.parse("method=lots")


def test_requests_stay_within_the_per_method_window_as_the_provider_counts_them() -> None:
    """pyrate-limiter's sliding window, as pinned: at most 5 calls of one method in any 0.5 s at the
    provider, batches counted call by call, even with 4 requests in flight at once."""
    with Provider() as provider:
        endpoint = Endpoint("test", f"{provider.url}/key", budget=Budget.parse(
            "method=5/0.5s,total=50/0.5s,concurrency=4,batch=3"))
        rpc = JsonRpc(endpoint)
        results = rpc.call_many("getTransaction", [[i] for i in range(30)], [str(i) for i in range(30)])
        assert results == [[i] for i in range(30)]
        assert max(n for _, n, _ in provider.arrivals) == 3  # batches of 3
        assert _most_in_any_window(provider.arrivals, 0.5) <= 5
        assert endpoint.stats.calls["getTransaction"] == 30 and endpoint.stats.http_requests == len(
            provider.arrivals)
        endpoint.close()


def test_two_clients_of_one_endpoint_share_its_windows() -> None:
    with Provider() as provider:
        budget = Budget.parse("method=4/0.4s,concurrency=1")
        first, second = (JsonRpc(Endpoint("test", provider.url, budget=budget)) for _ in range(2))
        for i in range(4):
            first.call("getSlot", [i])
            second.call("getSlot", [i])
        assert _most_in_any_window(provider.arrivals, 0.4) <= 4


def test_a_429_with_retry_after_holds_every_request_to_the_endpoint_and_is_not_a_failed_attempt() -> None:
    def refuse_twice(body, n):
        if n <= 2:
            return 429, b'{"error":"slow down"}', {"Retry-After": "1"}
        return None

    with Provider(refuse_twice) as provider:
        endpoint = Endpoint("test", provider.url, budget=Budget.parse("concurrency=1"), max_attempts=1)
        assert JsonRpc(endpoint).call("getSlot", [7]) == [7]  # one attempt allowed, yet two 429s ridden out
        waits = [b[0] - a[0] for a, b in zip(provider.arrivals, provider.arrivals[1:])]
        assert all(w >= 0.95 for w in waits[:2])  # it waited as asked (a lower bound, not a speed check)
        assert endpoint.stats.rate_limited == 2 and endpoint.stats.retries == 2


def test_a_provider_that_never_stops_refusing_fails_the_call_naming_it_after_the_throttle_limit() -> None:
    with Provider(lambda body, n: (429, b"{}", {"Retry-After": "0"})) as provider:
        endpoint = Endpoint("solana", f"{provider.url}/v2/SECRETKEY0123456789abc",
                            budget=Budget.parse("max_throttle_s=0.5"), max_wait_s=0.01)
        with pytest.raises(RateLimited, match=r"solana \(http://127\.0\.0\.1:\d+\) getSlot: HTTP 429.*answered 429 for") \
                as raised:
            JsonRpc(endpoint).call("getSlot", [])
        assert "SECRETKEY" not in str(raised.value)


def test_a_json_rpc_rate_limit_error_is_waited_for_and_other_errors_are_refusals_not_retried() -> None:
    def answers(body, n):
        if n == 1:
            return 200, json.dumps({"jsonrpc": "2.0", "id": body["id"], "error": {
                "code": -32005, "message": "daily request count exceeded, request rate limited"}}).encode()
        if body["method"] == "eth_getLogs":
            return 200, json.dumps({"jsonrpc": "2.0", "id": body["id"], "error": {
                "code": -32005, "message": "query returned more than 10000 results"}}).encode()
        return None

    with Provider(answers) as provider:
        rpc = JsonRpc(Endpoint("eth", provider.url, max_wait_s=0.01))
        assert rpc.call("eth_chainId", []) == []
        with pytest.raises(RpcRefused, match="more than 10000 results") as refused:
            rpc.call("eth_getLogs", [{}])
        assert refused.value.code == -32005
        assert [b["method"] for _, _, b in provider.arrivals] == ["eth_chainId", "eth_chainId", "eth_getLogs"]


def test_http_refusals_are_not_retried_and_a_refused_key_says_so() -> None:
    with Provider(lambda body, n: (403 if n == 1 else 413, b'{"message":"no"}')) as provider:
        rpc = JsonRpc(Endpoint("eth", provider.url))
        with pytest.raises(RpcRefused, match="HTTP 403: the provider refused the credentials") as refused:
            rpc.call("eth_chainId", [])
        assert refused.value.is_credentials
        with pytest.raises(RpcRefused, match="HTTP 413: no") as too_large:
            rpc.call("eth_getLogs", [])
        assert too_large.value.code == 413 and not too_large.value.is_credentials
        assert len(provider.arrivals) == 2


def test_a_provider_that_refuses_batches_is_asked_one_call_at_a_time_from_then_on() -> None:
    def no_batches(body, n):
        if isinstance(body, list):
            return 200, json.dumps({"jsonrpc": "2.0", "id": None, "error": {
                "code": -32600, "message": "batch requests are not supported"}}).encode()
        return None

    with Provider(no_batches) as provider:
        rpc = JsonRpc(Endpoint("sol", provider.url, budget=Budget.parse("concurrency=1,batch=10")))
        assert rpc.call_many("getTransaction", [[1], [2], [3]], ["1", "2", "3"]) == [[1], [2], [3]]
        assert rpc.call_many("getTransaction", [[4], [5]], ["4", "5"]) == [[4], [5]]
        assert [isinstance(b, list) for _, _, b in provider.arrivals] == [True, False, False, False, False, False]


def test_urls_are_shown_by_scheme_and_host_and_keys_are_scrubbed_from_any_text() -> None:
    key = "a1b2c3d4e5f6a7b8c9d0"
    url = f"https://user:pw9988776655@rpc.example.com:8443/v2/{key}?api-key=k9k9k9k9k9k9k9k9"
    Endpoint("eth", url).close()
    assert redact_url(url) == "https://rpc.example.com:8443"
    text = scrub(f"GET {url} failed; key {key}; query k9k9k9k9k9k9k9k9; path /v2/{key}")
    assert key not in text and "k9k9k9k9k9k9k9k9" not in text and "pw9988776655" not in text
    assert "https://rpc.example.com:8443" in text
    assert retry_after_seconds("3") == 3 and retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # a date in the past: no wait
    assert GUARD_SHARE > 0 and GUARD_MIN_S > 0


def test_every_endpoint_verifies_certificates_through_one_context_built_once() -> None:
    """Building httpx's verification context loads the CA bundle (~17 ms); endpoints share one, still verifying."""
    first, second = Endpoint("a", "https://rpc.example.invalid"), Endpoint("b", "http://127.0.0.1:9")
    try:
        contexts = {id(endpoint._http._transport._pool._ssl_context) for endpoint in (first, second)}
        assert contexts == {id(tls_context())}
        assert tls_context().verify_mode == ssl.CERT_REQUIRED and tls_context().check_hostname
    finally:
        first.close()
        second.close()
