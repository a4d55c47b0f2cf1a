"""The scripts under benchmarks/ import and answer `--help` (running them takes minutes, so CI does not).

A benchmark that no longer imports is found here rather than by the next person who measures:
benchmarks/dashboard_queries.py still imported a helper of pipeline_scale.py under its old name
after the helper was renamed.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

SCRIPTS = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "benchmarks").glob("*.py")
                 if not p.stem.startswith("_"))


def test_every_benchmark_is_listed() -> None:
    assert {"evm_ingest", "evm_decode", "solana_decode", "pipeline_scale", "scale_out", "dashboard_queries",
            "live_calls"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_a_benchmark_imports_and_explains_itself(name: str, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    module = importlib.import_module(f"benchmarks.{name}")
    monkeypatch.setattr("sys.argv", [f"benchmarks/{name}.py", "--help"])
    with pytest.raises(SystemExit) as ended:
        module.main()
    assert ended.value.code == 0
    help_text = capsys.readouterr().out
    assert module.__doc__.strip().splitlines()[0][:40] in help_text
