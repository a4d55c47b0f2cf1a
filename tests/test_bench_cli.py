"""The operator's commands, through a Typer app that mounts `bench_app` the way depinlens/cli.py does:
keys, a quick run with its summary table, submit to a directory and an fsspec URL, and schedules.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
import typer
from typer.testing import CliRunner

from gpu_bench.cli import bench_app
from gpu_bench.verify import Accepted
from tests.test_bench_verify import check, peak_table

app = typer.Typer()
app.add_typer(bench_app, name="bench")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bench-home"
    monkeypatch.setenv("DEPINLENS_BENCH_HOME", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("COLUMNS", "120")
    for var in ("DEPINLENS_BENCH_INBOX", "DEPINLENS_BENCH_PROVIDER", "DEPINLENS_BENCH_VENUE"):
        monkeypatch.delenv(var, raising=False)
    return folder


def invoke(*args: str):
    return CliRunner().invoke(app, ["bench", *args])


def test_keys_creates_a_solana_keypair_once_and_then_shows_it(home: Path) -> None:
    from solders.keypair import Keypair

    first = invoke("keys")
    assert first.exit_code == 0, first.output
    key_file = home / "operator-key.json"
    pubkey = str(Keypair.from_bytes(bytes(json.loads(key_file.read_text()))).pubkey())
    assert "created a ed25519 operator key" in first.output and pubkey in first.output
    assert key_file.stat().st_mode & 0o777 == 0o600
    second = invoke("keys")
    assert second.exit_code == 0 and "created" not in second.output and pubkey in second.output


def test_replacing_the_key_keeps_the_old_one_aside(home: Path) -> None:
    invoke("keys")
    replaced = invoke("keys", "--type", "secp256k1", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert (home / "operator-key.eth").read_text().startswith("0x")
    assert len(list(home.glob("operator-key.json.replaced-*"))) == 1 and not (home / "operator-key.json").exists()


def test_importing_an_existing_solana_keypair_keeps_its_identity(home: Path, tmp_path: Path) -> None:
    from solders.keypair import Keypair

    node = Keypair()
    (tmp_path / "node.json").write_text(json.dumps(list(bytes(node))))
    result = invoke("keys", "--import", str(tmp_path / "node.json"))
    assert result.exit_code == 0 and str(node.pubkey()) in result.output


def test_run_without_a_key_says_how_to_make_one(home: Path) -> None:
    result = invoke("run", "--quick", "--suite", "copy")
    assert result.exit_code == 1 and "gpu-bench keys" in result.output


def test_a_quick_run_prints_the_summary_signs_and_submits_a_file_the_verifier_accepts(home, tmp_path) -> None:
    invoke("keys")
    inbox = tmp_path / "inbox"
    result = invoke("run", "--quick", "--suite", "matmul", "--suite", "copy", "--provider", "prov1",
                    "--venue", "nosana", "--submit", "--inbox", str(inbox))
    assert result.exit_code == 0, result.output
    assert "gpu_bench cpu · quick" in result.output and "TFLOP/s" in result.output and "h2h" in result.output
    assert "skipped matmul tf32" in result.output
    (submitted,) = inbox.iterdir()
    assert (home / "results" / "submitted" / submitted.name).exists() and not list((home / "results").glob("*.json"))
    verdict = check(submitted.read_bytes(), peak_table(tmp_path))
    assert isinstance(verdict, Accepted), verdict
    assert verdict.submission.result.operator.venue == "nosana"
    assert {m.suite for m in verdict.submission.result.measurements} == {"matmul", "copy"}


def test_submit_sends_pending_results_to_an_fsspec_url(home, tmp_path) -> None:
    import fsspec

    invoke("keys")
    assert invoke("run", "--quick", "--suite", "copy").exit_code == 0
    (pending,) = (home / "results").glob("*.json")
    url = f"memory://depinlens-test-{datetime.now(UTC).timestamp()}/inbox"
    result = invoke("submit", "--inbox", url)
    assert result.exit_code == 0, result.output
    fs, root = fsspec.core.url_to_fs(url)
    assert fs.cat_file(f"{root}/{pending.name}") == (home / "results" / "submitted" / pending.name).read_bytes()
    assert "nothing to submit" in invoke("submit", "--inbox", url).output


def test_an_unknown_suite_is_refused_before_anything_runs(home) -> None:
    result = invoke("run", "--suite", "raytracing")
    assert result.exit_code != 0 and "unknown suite 'raytracing'" in result.output


def test_schedule_every_6h_writes_and_prints_a_locked_logged_cron_entry(home, tmp_path) -> None:
    invoke("keys")
    result = invoke("schedule", "--every", "6h", "--inbox", str(tmp_path / "inbox"), "--venue", "akash", "--quick")
    assert result.exit_code == 0, result.output
    line = (home / "depinlens-bench.cron").read_text().strip()
    minute, hours, *rest = line.split()[:5]
    assert hours == "*/6" and rest == ["*", "*", "*"] and 0 <= int(minute) < 60
    dg.ScheduleDefinition(name="check", cron_schedule=" ".join(line.split()[:5]), job_name="x")  # a valid cron
    assert f"DEPINLENS_BENCH_HOME={home}" in line and "flock -n" in line and ">> " in line
    assert "bench run --submit --inbox" in line and "--venue akash" in line and "--quick" in line
    assert "crontab -" in result.output and line.split()[0] in result.output


def test_schedule_as_a_systemd_user_timer_is_persistent(home, tmp_path) -> None:
    invoke("keys")
    result = invoke("schedule", "--every", "6h", "--format", "systemd", "--inbox", str(tmp_path / "inbox"))
    assert result.exit_code == 0, result.output
    units = tmp_path / "xdg" / "systemd" / "user"
    timer = (units / "depinlens-bench.timer").read_text()
    assert "OnCalendar=*-*-* 00/6:" in timer and "Persistent=true" in timer
    assert "ExecStart=" in (units / "depinlens-bench.service").read_text()
    assert "systemctl --user enable --now depinlens-bench.timer" in result.output


def test_an_interval_cron_cannot_repeat_evenly_is_refused_with_the_choices(home, tmp_path) -> None:
    invoke("keys")
    result = invoke("schedule", "--every", "7h", "--inbox", str(tmp_path))
    assert result.exit_code == 1 and "7 does not divide 24" in result.output
    assert not (home / "depinlens-bench.cron").exists()


def test_binding_the_key_to_an_akash_provider_makes_every_run_carry_the_proof(home, tmp_path) -> None:
    import os

    from gpu_bench.binding import akash_address

    invoke("keys")
    secret = os.urandom(32)
    (tmp_path / "provider.hex").write_text(secret.hex() + "\n")  # as `akash keys export --unarmored-hex` prints it
    bound = invoke("bind", "akash", "--provider-key", str(tmp_path / "provider.hex"))
    assert bound.exit_code == 0, bound.output
    from eth_keys import keys

    provider = akash_address(keys.PrivateKey(secret).public_key.to_compressed_bytes())
    assert f"to akash provider {provider}" in " ".join(bound.output.split())
    run = invoke("run", "--quick", "--suite", "copy")
    assert run.exit_code == 0, run.output
    assert f"bound to akash provider {provider}" in " ".join(run.output.split())
    (result,) = (home / "results").glob("*.json")
    verdict = check(result.read_bytes(), peak_table(tmp_path))
    assert isinstance(verdict, Accepted), verdict
    operator = verdict.submission.result.operator
    assert (operator.provider, operator.venue, operator.binding.provider) == (provider, "akash", provider)
    contradicted = invoke("run", "--quick", "--suite", "copy", "--provider", "akash1other")
    assert contradicted.exit_code == 1 and "contradict it" in contradicted.output


def test_a_nosana_node_binds_the_key_by_signing_the_printed_statement_in_its_wallet(home, tmp_path) -> None:
    import re

    from solders.keypair import Keypair

    invoke("keys")
    node = Keypair()
    asked = invoke("bind", "nosana", "--provider", str(node.pubkey()))
    assert asked.exit_code == 0, asked.output
    statement = next(line for line in asked.output.splitlines() if line.startswith("depinlens-bench binding/1:"))
    issued = re.search(r"--issued-at (\S+)", asked.output).group(1)
    (tmp_path / "answer.json").write_text(json.dumps({"signature": str(node.sign_message(statement.encode()))}))
    bound = invoke("bind", "nosana", "--provider", str(node.pubkey()), "--issued-at", issued,
                   "--wallet-signature", str(tmp_path / "answer.json"))
    assert bound.exit_code == 0, bound.output
    assert json.loads((home / "binding.json").read_text())["provider"] == str(node.pubkey())
    (tmp_path / "forged.json").write_text(json.dumps({"signature": str(Keypair().sign_message(statement.encode()))}))
    forged = invoke("bind", "nosana", "--provider", str(node.pubkey()), "--issued-at", issued,
                    "--wallet-signature", str(tmp_path / "forged.json"))
    assert forged.exit_code == 1 and "did not sign the statement" in forged.output
