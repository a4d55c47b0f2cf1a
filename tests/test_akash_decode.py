"""Decoding Akash REST JSON: leases of both market versions, block times, GPU attributes, staking state."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pipelines.chains.cosmos import (
    AKASH_SECONDS_PER_BLOCK,
    JOBS_SCHEMA,
    STAKING_SNAPSHOTS_SCHEMA,
    GpuNames,
    LeaseGpus,
    decode_deployment_gpus,
    decode_lease_v1beta4,
    decode_lease_v1beta5,
    decode_leases,
    decode_provider_gpus,
    lease_gpu_model,
    lease_rows,
    parse_block_time,
    price_per_hour,
    staking_rows,
)
from pipelines.chains.errors import DecodeError

OWNER = "akash1d8zv92ex2chz29gyje8a8c9rtza6qs5pxyvjdc"
PROVIDER = "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc"

# One lease as /akash/market/v1beta5/leases/list sends it (akash.market.v1.Lease + escrow types v1 Payment).
V1BETA5_LEASE = {
    "lease": {
        "id": {"owner": OWNER, "dseq": "15843418", "gseq": 1, "oseq": 1, "provider": PROVIDER, "bseq": 0},
        "state": "closed",
        "price": {"denom": "uakt", "amount": "1.378800000000000000"},
        "created_at": "15843420",
        "closed_on": "15850000",
    },
    "escrow_payment": {
        "id": {"aid": {"scope": "deployment", "xid": f"{OWNER}/15843418"}, "xid": f"1/1/{PROVIDER}"},
        "state": {"owner": PROVIDER, "state": "closed", "rate": {"denom": "uakt", "amount": "1.378800000000000000"},
                  "balance": {"denom": "uakt", "amount": "0.000000000000000000"},
                  "unsettled": {"denom": "uakt", "amount": "0.000000000000000000"},
                  "withdrawn": {"denom": "uakt", "amount": "9072"}},
    },
}
# The same lease as v1beta4 sends it (lease_id; flat escrow payment).
V1BETA4_LEASE = {
    "lease": {
        "lease_id": {"owner": OWNER, "dseq": "15843418", "gseq": 1, "oseq": 1, "provider": PROVIDER},
        "state": "closed",
        "price": {"denom": "uakt", "amount": "1.378800000000000000"},
        "created_at": "15843420",
        "closed_on": "15850000",
    },
    "escrow_payment": {
        "account_id": {"scope": "deployment", "xid": f"{OWNER}/15843418"},
        "payment_id": f"1/1/{PROVIDER}", "owner": PROVIDER, "state": "closed",
        "rate": {"denom": "uakt", "amount": "1.378800000000000000"},
        "balance": {"denom": "uakt", "amount": "0.000000000000000000"},
        "withdrawn": {"denom": "uakt", "amount": "9072"},
    },
}


def test_v1beta5_and_v1beta4_answers_decode_to_the_same_lease() -> None:
    new = decode_leases([V1BETA5_LEASE], "v1beta5")[0]
    old = decode_leases([V1BETA4_LEASE], "v1beta4")[0]
    assert new == old
    assert new.job_id == f"{OWNER}/15843418/1/1/{PROVIDER}"
    assert (new.dseq, new.gseq, new.oseq, new.state) == (15843418, 1, 1, "closed")
    assert new.price.amount == Decimal("1.3788") and new.price.denom == "uakt"
    assert (new.created_height, new.closed_height) == (15843420, 15850000)
    assert new.payment_state == "closed" and new.withdrawn.amount == Decimal(9072)


def test_an_open_lease_has_no_closed_height_and_a_numeric_state_is_read_by_enum_order() -> None:
    item = copy.deepcopy(V1BETA5_LEASE)
    item["lease"].update(closed_on="0", state=1)
    lease = decode_lease_v1beta5(item)
    assert lease.closed_height is None and lease.state == "active"


def test_a_nonzero_bid_sequence_extends_the_lease_id() -> None:
    item = copy.deepcopy(V1BETA5_LEASE)
    item["lease"]["id"]["bseq"] = 3
    assert decode_lease_v1beta5(item).job_id.endswith(f"/{PROVIDER}/3")


def test_a_v1beta4_answer_read_as_v1beta5_is_refused_by_name() -> None:
    with pytest.raises(DecodeError, match=r"lease #0 .*field 'id' missing"):
        decode_leases([V1BETA4_LEASE], "v1beta5")
    with pytest.raises(DecodeError, match="unknown market API version 'v2'"):
        decode_leases([V1BETA4_LEASE], "v2")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("lease", "price", "amount"), "1.5e3", "price.amount '1.5e3' is not a decimal"),
        (("lease", "price", "amount"), "0." + "1" * 19, "at most 18 places"),
        (("lease", "price"), None, "price is not a {denom, amount} coin"),
        (("lease", "created_at"), "-5", "created_at '-5' is not a non-negative integer"),
        (("lease", "state"), "paused", "lease state 'paused' is not one of"),
        (("lease", "id", "provider"), "", "provider '' is not a non-empty string"),
        (("lease", "id", "gseq"), True, "gseq True is not a non-negative integer"),
        (("escrow_payment", "state", "rate", "denom"), "uact",
         "escrow payment rate is in uact, the lease price in uakt"),
    ],
)
def test_malformed_lease_fields_give_a_decode_error_naming_the_lease(path, value, message) -> None:
    items = [copy.deepcopy(V1BETA5_LEASE), copy.deepcopy(V1BETA5_LEASE)]
    target = items[1]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(DecodeError, match=message) as raised:
        decode_leases(items, "v1beta5")
    assert str(raised.value).startswith(f"lease #1 ({OWNER}/15843418/")


def test_a_missing_field_is_named() -> None:
    item = copy.deepcopy(V1BETA4_LEASE)
    del item["lease"]["created_at"]
    with pytest.raises(DecodeError, match="field 'created_at' missing"):
        decode_lease_v1beta4(item)
    with pytest.raises(DecodeError, match="expected a list of leases, got dict"):
        decode_leases({"leases": []}, "v1beta4")


def test_price_per_hour_defaults_to_the_block_time_akash_documents() -> None:
    # "6.088 block time" (akash-network/docs provider-earnings.md, ../shared/fixtures/akash); the marts use
    # each day's measured seconds per block, this is only the fallback and the search's first guess
    assert AKASH_SECONDS_PER_BLOCK == 6.088
    assert price_per_hour(Decimal("6.088")) == Decimal(3600)
    assert price_per_hour(Decimal(1)) * Decimal("6.088") == pytest.approx(Decimal(3600))
    assert price_per_hour(Decimal(10), seconds_per_block=6) == Decimal(6000)


def test_gateway_times_with_nanoseconds_parse_to_microseconds_in_utc() -> None:
    assert parse_block_time("2025-06-01T00:00:06.174987654Z") == datetime(2025, 6, 1, 0, 0, 6, 174987, tzinfo=UTC)
    assert parse_block_time("2025-06-01T02:00:00+02:00") == datetime(2025, 6, 1, tzinfo=UTC)
    assert parse_block_time("2025-06-01T00:00:00Z") == datetime(2025, 6, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="not an RFC 3339 time"):
        parse_block_time("2025-06-01 00:00:00")


def test_lease_rows_carry_provenance_times_and_the_day_observed() -> None:
    lease = decode_lease_v1beta5(V1BETA5_LEASE)
    times = {15843420: datetime(2025, 6, 1, 23, 59, 59, tzinfo=UTC), 15850000: datetime(2025, 6, 2, 11, 16, tzinfo=UTC)}
    table = lease_rows([lease], network="akash", chain="akash", source="live", day=date(2025, 6, 2),
                       block_times=times, gpus={lease.job_id: LeaseGpus(2, "H100 SXM")})
    assert table.schema == JOBS_SCHEMA
    row = table.to_pylist()[0]
    assert (row["client"], row["provider"], row["gpu_model"], row["gpu_count"]) == (OWNER, PROVIDER, "H100 SXM", 2)
    assert (row["price"], row["price_denom"], row["price_unit"]) == (Decimal("1.3788"), "uakt", "per_block")
    assert row["observed_day"] == date(2025, 6, 2) and row["ended_at"] == times[15850000]
    assert row["started_at"] == times[15843420]
    # a creation height older than anything measured: no start time (the marts use the first observation),
    # and a start stored by an earlier run wins over asking again
    older = lease_rows([lease], network="akash", chain="akash", source="live", day=date(2025, 6, 2),
                       block_times={15850000: times[15850000]}).to_pylist()[0]
    assert older["started_at"] is None
    stored = datetime(2025, 6, 1, 23, 59, 58, tzinfo=UTC)
    assert lease_rows([lease], network="akash", chain="akash", source="live", day=date(2025, 6, 2),
                      block_times={15850000: times[15850000]}, started={lease.job_id: stored}
                      ).to_pylist()[0]["started_at"] == stored
    with pytest.raises(DecodeError, match="no block time for its closing height 15850000"):
        lease_rows([lease], network="akash", chain="akash", source="live", day=date(2025, 6, 2),
                   block_times={15843420: times[15843420]})


def _deployment(*resources: dict) -> dict:
    return {"deployment": {"id": {"owner": OWNER, "dseq": "7"}, "state": "active"},
            "groups": [{"id": {"owner": OWNER, "dseq": "7", "gseq": 1}, "state": "open",
                        "group_spec": {"name": "dcloud", "resources": list(resources)}}]}


def _unit(units: str, count: int, *keys: str) -> dict:
    return {"resource": {"id": 1, "gpu": {"units": {"val": units}, "attributes": [{"key": k, "value": "true"}
                                                                                   for k in keys]}},
            "count": count}


def test_a_group_counts_gpus_per_replica_and_names_its_model_variant() -> None:
    names = GpuNames()
    groups = decode_deployment_gpus(_deployment(_unit("2", 3, "vendor/nvidia/model/a100/ram/80Gi/interface/sxm"),
                                                _unit("0", 1)), names)
    assert groups[1].count == 6 and groups[1].models == frozenset({"A100 80GB SXM"})
    assert lease_gpu_model(groups[1], None) == "A100 80GB SXM"


def test_any_gpu_groups_take_the_providers_only_model_and_stay_unknown_when_it_has_several() -> None:
    names = GpuNames()
    group = decode_deployment_gpus(_deployment(_unit("1", 1, "vendor/nvidia/model/*")), names)[1]
    providers = decode_provider_gpus([
        {"owner": "akash1one", "attributes": [{"key": "capabilities/gpu/vendor/nvidia/model/rtx4090", "value": "true"},
                                              {"key": "capabilities/gpu/vendor/nvidia/model/a100", "value": "false"}]},
        {"owner": "akash1two", "attributes": [{"key": "capabilities/gpu/vendor/nvidia/model/h100", "value": "true"},
                                              {"key": "capabilities/gpu/vendor/nvidia/model/h100/interface/pcie",
                                               "value": "true"},
                                              {"key": "capabilities/gpu/vendor/nvidia/model/l40s", "value": "true"}]},
    ], names)
    assert providers == {"akash1one": frozenset({"RTX 4090"}), "akash1two": frozenset({"H100 PCIe", "L40S"})}
    assert lease_gpu_model(group, providers["akash1one"]) == "RTX 4090"
    assert lease_gpu_model(group, providers["akash1two"]) is None
    h100_only = decode_deployment_gpus(_deployment(_unit("1", 1, "vendor/nvidia/model/h100")), names)[1]
    assert lease_gpu_model(h100_only, providers["akash1two"]) == "H100"  # the group's own word wins


def test_unknown_gpu_names_are_counted_not_guessed() -> None:
    names = GpuNames()
    group = decode_deployment_gpus(_deployment(_unit("1", 1, "vendor/nvidia/model/gb300")), names)[1]
    assert group.models == frozenset() and names.unmapped == {"gb300": 1}


def test_a_group_without_resources_is_refused() -> None:
    with pytest.raises(DecodeError, match="group #0: needs id.gseq and group_spec.resources"):
        decode_deployment_gpus({"groups": [{"id": {"gseq": 1}}]}, GpuNames())
    with pytest.raises(DecodeError, match=r"gpu.units: '1.5' is not a non-negative integer"):
        decode_deployment_gpus(_deployment(_unit("1.5", 1)), GpuNames())


def _staking_answers(**override) -> dict:
    answers = {
        "staking_params": {"params": {"bond_denom": "uakt", "unbonding_time": "1814400s"}},
        "pool": {"pool": {"not_bonded_tokens": "3000000000000", "bonded_tokens": "150000000000000"}},
        "inflation": {"inflation": "0.130000000000000000"},
        "annual_provisions": {"annual_provisions": "32500000000000.500000000000000000"},
        "distribution_params": {"params": {"community_tax": "0.020000000000000000",
                                           "withdraw_addr_enabled": True}},
        "supply": {"amount": {"denom": "uakt", "amount": "250000000000000"}},
    }
    answers.update(override)
    return answers


def test_staking_state_becomes_exact_amounts_and_rates_for_the_day() -> None:
    stamp = datetime(2025, 6, 1, 23, 59, 58, tzinfo=UTC)
    table = staking_rows(_staking_answers(), network="akash", chain="akash", source="live", height=100,
                         block_time=stamp, day=date(2025, 6, 1))
    assert table.schema == STAKING_SNAPSHOTS_SCHEMA
    rows = {r["metric"]: r for r in table.to_pylist()}
    assert set(rows) == {"bonded_tokens", "not_bonded_tokens", "total_supply", "inflation", "annual_provisions",
                         "community_tax"}
    assert rows["bonded_tokens"]["amount_raw"] == Decimal(150_000_000_000_000)
    assert rows["bonded_tokens"]["unit"] == "uakt"
    assert rows["inflation"]["value"] == 0.13 and rows["community_tax"]["value"] == 0.02
    assert rows["annual_provisions"]["unit"] == "uakt_per_year"
    assert all(r["block_number"] == 100 and r["snapshot_day"] == date(2025, 6, 1) for r in rows.values())


def test_a_dec_sent_as_base64_bytes_reads_like_the_string_form() -> None:
    encoded = base64.b64encode(b"130000000000000000").decode()  # some SDK versions' mint answers
    table = staking_rows(_staking_answers(inflation={"inflation": encoded}), network="akash", chain="akash",
                         source="live", height=1, block_time=datetime(2025, 6, 1, tzinfo=UTC), day=date(2025, 6, 1))
    assert {r["metric"]: r["value"] for r in table.to_pylist()}["inflation"] == pytest.approx(0.13)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"pool": {"pool": {"bonded_tokens": "1"}}}, "field 'pool.not_bonded_tokens' missing"),
        ({"pool": {"pool": {"bonded_tokens": "1.5", "not_bonded_tokens": "1"}}}, "'1.5' is not an integer amount"),
        ({"inflation": {"inflation": "lots"}}, "inflation: 'lots' is not a decimal"),
        ({"supply": {"amount": {"denom": "uact", "amount": "1"}}}, "supply is of 'uact', the bond denom is 'uakt'"),
    ],
)
def test_malformed_staking_answers_name_the_height_and_field(override, message) -> None:
    with pytest.raises(DecodeError, match=message) as raised:
        staking_rows(_staking_answers(**override), network="akash", chain="akash", source="live", height=42,
                     block_time=datetime(2025, 6, 1, tzinfo=UTC), day=date(2025, 6, 1))
    assert "akash staking state at height 42" in str(raised.value)


def _recorded_audits() -> dict:
    import json

    from tests.conftest import SHARED_DIR

    return json.loads((SHARED_DIR / "fixtures" / "akash" / "getblock_audit_v1_attributes_list.json").read_text())


def test_the_recorded_audit_answer_names_the_provider_its_auditor_and_the_signed_attributes() -> None:
    from pipelines.chains.cosmos import decode_audits

    answer = _recorded_audits()
    (audit,) = decode_audits(answer["providers"])
    entry = answer["providers"][0]
    assert (audit.provider, audit.auditor) == (entry["owner"], entry["auditor"])
    assert audit.attributes == tuple((a["key"], a["value"]) for a in entry["attributes"])


def test_a_provider_seen_without_an_audit_is_stored_as_not_audited_and_an_audited_one_with_its_auditor() -> None:
    import json

    from pipelines.chains.cosmos import audit_rows, decode_audits
    from pipelines.chains.raw_schemas import PROVIDER_AUDITS_SCHEMA

    audits = decode_audits(_recorded_audits()["providers"])
    read_at = datetime(2026, 9, 22, 18, 17, 41, tzinfo=UTC)
    rows = audit_rows(audits, [PROVIDER, audits[0].provider, PROVIDER], network="akash", chain="akash",
                      source="live", block_number=28742381, block_time=read_at, fetched_at=read_at)
    assert rows.schema == PROVIDER_AUDITS_SCHEMA
    by_provider = {r["provider"]: r for r in rows.to_pylist()}
    assert len(rows) == 2 and by_provider[PROVIDER]["auditor"] is None
    assert json.loads(by_provider[PROVIDER]["attributes"]) == []
    audited = by_provider[audits[0].provider]
    assert audited["auditor"] == audits[0].auditor and audited["observed_day"] == date(2026, 9, 22)
    assert json.loads(audited["attributes"]) == [{"key": k, "value": v} for k, v in audits[0].attributes]


@pytest.mark.parametrize(("entry", "message"), [
    ({"owner": "cosmos1x", "auditor": "akash1y", "attributes": []}, "owner"),
    ({"owner": "akash1x", "attributes": []}, "auditor"),
    ({"owner": "akash1x", "auditor": "akash1y", "attributes": [{"key": "region"}]}, "attributes"),
])
def test_a_malformed_audit_entry_is_refused_naming_the_field(entry: dict, message: str) -> None:
    from pipelines.chains.cosmos import decode_audits

    with pytest.raises(DecodeError, match=message):
        decode_audits([entry], "audit page 0")
