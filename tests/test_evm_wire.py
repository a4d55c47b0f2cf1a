"""`eth_getLogs` answers read from their bytes into Arrow columns decode exactly as the parsed answers do.

The columns path (pipelines/chains/evm/_wire.py, then the decoder's checks in place) must give
the same rows as orjson + the per-log decoder for every answer, and the same error, word for
word, for every answer the per-log path refuses; an answer it does not read plainly goes the
old way whole, through the same HTTP and JSON-RPC checks.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from benchmarks._synthetic import transfer_log
from pipelines.chains.errors import DecodeError, MalformedResponse, RpcRefused
from pipelines.chains.evm import EvmClient, day_blocks, decode_transfer_logs, read_transfers
from pipelines.chains.evm._client import TRANSFER_TOPIC
from pipelines.chains.evm._wire import logs_table
from pipelines.http import Budget

from tests.conftest import DAY_1, DAY_2, LoopbackProxy, seconds

FETCHED_AT = datetime(2025, 6, 2, tzinfo=UTC)


def _answer(logs: object) -> bytes:
    return orjson.dumps({"jsonrpc": "2.0", "id": 1, "result": logs})


def _decoded(read, tokens):
    """(table, None) or (None, the DecodeError's text) of one decoder path."""
    try:
        return decode_transfer_logs(read(), chain="anvil", source="local", tokens=tokens, block_times={},
                                    fetched_at=FETCHED_AT), None
    except DecodeError as exc:
        return None, str(exc)


def _both_paths(body: bytes, tokens: dict) -> tuple[tuple, tuple]:
    """What the per-log path and the columns path make of one answer (the columns path falls back as
    the client does: an answer it declines is parsed the usual way)."""
    parsed = _decoded(lambda: orjson.loads(body)["result"], tokens)
    columns = _decoded(lambda: logs_table(body) if logs_table(body) is not None else orjson.loads(body)["result"],
                       tokens)
    return parsed, columns


@pytest.fixture
def tokens(registry) -> dict:
    return {t.address: t for t in registry.tokens_on("anvil")}


def test_recorded_anvil_answers_give_identical_rows_through_columns(local_chain, tokens) -> None:
    evm, contracts = local_chain
    token = next(iter(contracts.values()))
    a, b = evm.accounts[1], evm.accounts[2]
    evm.at(seconds(DAY_1, 1)).mint(token, a, 10**30)
    evm.at(seconds(DAY_1, 2)).transfer(token, a, b, 3 * 10**29)
    evm.at(seconds(DAY_1, 3)).burn(token, b, 10**29)
    body = httpx.post(evm.w3.provider.endpoint_uri, json={"jsonrpc": "2.0", "id": 1, "method": "eth_getLogs",
                                                        "params": [{"fromBlock": "0x0", "toBlock": "latest"}]}).content

    columns = logs_table(body)
    assert columns is not None and columns.num_rows == 3
    (parsed_rows, _), (column_rows, _) = _both_paths(body, tokens)
    assert parsed_rows.num_rows == 3 and column_rows.equals(parsed_rows)


def test_every_synthetic_log_shape_decodes_identically(tokens) -> None:
    logs = [transfer_log(i) for i in range(2_000)]
    logs[7]["address"] = logs[7]["address"].upper().replace("0X", "0x")  # checksummed-style case
    logs[9]["topics"][0] = logs[9]["topics"][0].upper().replace("0X", "0x")
    (parsed_rows, _), (column_rows, _) = _both_paths(_answer(logs), tokens)
    assert parsed_rows.num_rows == 2_000 and column_rows.equals(parsed_rows)


@pytest.mark.parametrize("body", [
    b'{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"query returned more than 10000 results"}}',
    b'{"jsonrpc":"2.0","id":1,"result":null}',
    b'{"jsonrpc":"2.0","id":1,"result":{"logs":[]}}',
    b'{"jsonrpc":"2.0","id":1,"result":[{"address":17}]}',
    b'{"jsonrpc":"2.0","id":1,"result":["0xabc"]}',
    b'{"jsonrpc":"2.0","id":1,"result":[{"removed":"yes"}]}',
    b'{"jsonrpc":"2.0","id":1,"result":[]}{"result":[]}',
    '{"jsonrpc":"2.0","id":1,"result":[{"address":"0x\u00e9"}]}'.encode(),
    b'\xef\xbb\xbf{"jsonrpc":"2.0","id":1,"result":[]}',
    b'{"jsonrpc":"2.0","id":1,"result":[{"addr',
])
def test_answers_that_are_not_plainly_a_list_of_logs_are_declined(body: bytes) -> None:
    assert logs_table(body) is None


def _node(body: bytes) -> EvmClient:
    return EvmClient("anvil", "http://node.invalid", budget=Budget(concurrency=1), max_attempts=2, max_wait_s=0.0,
                     transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)))


def test_a_declined_answer_gets_the_errors_the_parsed_path_gives() -> None:
    refusal = b'{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"block range too large"}}'
    for read in ("get_logs", "get_log_columns"):
        with _node(refusal) as client, pytest.raises(RpcRefused, match="block range too large"):
            getattr(client, read)(["0x" + "1" * 40], ["0x" + "2" * 64], 1, 2)
        with _node(b'{"jsonrpc":"2.0","id":1,"result":{"logs":[]}}') as client, \
                pytest.raises(MalformedResponse, match="result is dict, expected a list of logs"):
            getattr(client, read)(["0x" + "1" * 40], ["0x" + "2" * 64], 1, 2)
        with _node(b'{"jsonrpc":"2.0","id":1,"result":[{"addr') as client, \
                pytest.raises(MalformedResponse, match="answer is not JSON"):
            getattr(client, read)(["0x" + "1" * 40], ["0x" + "2" * 64], 1, 2)


def test_a_declined_answer_that_parses_comes_back_as_the_parsed_logs() -> None:
    odd = [{**transfer_log(0), "logIndex": 0}]  # a number where the wire format has a hex string
    with _node(_answer(odd)) as client:
        assert client.get_log_columns(["0x" + "1" * 40], ["0x" + "2" * 64], 1, 2) == odd


FIELDS = ["address", "topics", "data", "blockHash", "blockNumber", "blockTimestamp", "transactionHash", "logIndex",
          "removed"]
numbers = st.integers(-2**63, 2**64 - 1)  # what a JSON encoder writes as a number
junk = st.one_of(st.none(), numbers, st.booleans(), st.text(max_size=70),
                 st.lists(st.text(max_size=66), max_size=4),
                 st.from_regex(r"0x[0-9a-fA-F]{0,70}", fullmatch=True),
                 st.dictionaries(st.text(max_size=3), numbers, max_size=2))


@hypothesis_settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_broken_log_gets_the_same_rows_or_the_same_error_through_columns(tokens, data) -> None:
    logs = [transfer_log(i) for i in range(6)]
    for _ in range(data.draw(st.integers(1, 2))):
        victim = data.draw(st.integers(0, len(logs) - 1))
        action = data.draw(st.sampled_from(["replace", "delete", "whole-log", "topic"]))
        if action == "whole-log":
            logs[victim] = data.draw(junk)
        elif not isinstance(logs[victim], dict):
            continue
        elif action == "delete":
            logs[victim].pop(data.draw(st.sampled_from(FIELDS)), None)
        elif action == "topic" and isinstance(logs[victim].get("topics"), list):
            topics = copy.copy(logs[victim]["topics"])
            topics[data.draw(st.integers(0, len(topics) - 1))] = data.draw(junk)
            logs[victim]["topics"] = topics
        else:
            logs[victim][data.draw(st.sampled_from(FIELDS))] = data.draw(junk)

    (parsed_rows, parsed_error), (column_rows, column_error) = _both_paths(_answer(logs), tokens)

    assert column_error == parsed_error
    assert (column_rows is None and parsed_rows is None) or column_rows.equals(parsed_rows)


def _a_day_of_transfers(evm, contracts, n: int) -> None:
    token = next(iter(contracts.values()))
    a, b = evm.accounts[1], evm.accounts[2]
    evm.at(seconds(DAY_2, 1)).mint(token, a, 10**24)
    for k in range(n):
        evm.at(seconds(DAY_2, 2, k)).transfer(token, a, b, 1000 + k)


def _read_day(url: str, tokens: dict, chunk_blocks: int):
    with EvmClient("anvil", url, budget=Budget(concurrency=3)) as client:
        blocks = day_blocks(client, DAY_2, client.block_number())
        rows = read_transfers(client, list(tokens.values()), blocks, source="local", chunk_blocks=chunk_blocks).rows
        whole = decode_transfer_logs(client.get_logs(list(tokens), [TRANSFER_TOPIC], blocks.first, blocks.last),
                                     chain="anvil", source="local", tokens=tokens, fetched_at=FETCHED_AT)
    return rows, whole


def test_a_day_whose_chunks_are_decoded_as_they_arrive_equals_the_day_decoded_whole(local_chain, tokens) -> None:
    evm, contracts = local_chain
    _a_day_of_transfers(evm, contracts, 7)

    rows, whole = _read_day(evm.w3.provider.endpoint_uri, tokens, chunk_blocks=2)

    assert whole.num_rows == 8 and rows.column("tx_hash").num_chunks > 1  # chunks decoded one by one
    assert rows.drop(["fetched_at"]).equals(whole.drop(["fetched_at"]))


def test_a_bad_log_in_a_later_chunk_is_named_by_its_place_in_the_day(local_chain, tokens) -> None:
    """A chunk that fails to decode on its own sends the whole day through the one decode, so the
    error names the log as the day-wide decode does (log #6, not its place in its chunk)."""
    evm, contracts = local_chain
    _a_day_of_transfers(evm, contracts, 7)
    upstream = evm.w3.provider.endpoint_uri
    with EvmClient("anvil", upstream) as client:
        blocks = day_blocks(client, DAY_2, client.block_number())
        logs = client.get_logs(list(tokens), [TRANSFER_TOPIC], blocks.first, blocks.last)
    bad_block = logs[6]["blockNumber"]
    logs[6]["data"] = "0x" + "f" * 64  # an amount of 2^256 - 1: out of DECIMAL(38,0)'s range
    with pytest.raises(DecodeError) as whole_day:
        decode_transfer_logs(logs, chain="anvil", source="local", tokens=tokens, fetched_at=FETCHED_AT)

    def overflow(method: str, request: dict):
        if method != "eth_getLogs":
            return None
        answer = httpx.post(upstream, json=request).json()
        for log in answer["result"]:
            if log["blockNumber"] == bad_block:
                log["data"] = "0x" + "f" * 64
        return 200, orjson.dumps(answer)

    with LoopbackProxy(upstream, overflow) as proxy, pytest.raises(DecodeError) as chunked:
        _read_day(proxy.url, tokens, chunk_blocks=2)

    assert "log #6 " in str(whole_day.value)
    assert str(chunked.value).endswith(f" eth_getLogs blocks {blocks.first}-{blocks.last}: {whole_day.value}")
