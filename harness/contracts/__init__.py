"""Reference contracts of the local harness: Vyper sources and their committed artifacts.

The artifact (ABI + bytecode) is committed so a run needs no compiler; a test compiles
the source afresh and proves the artifact still matches it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict

CONTRACTS_DIR = Path(__file__).resolve().parent
COMPILER = "vyper 0.4.3"


class Artifact(TypedDict):
    """What deploying and calling a contract needs."""

    contract: str
    compiler: str
    abi: list[dict]
    bytecode: str


def compile_contract(name: str) -> Artifact:
    """Compile `<name>.vy` with the pinned Vyper and return its artifact."""
    import vyper  # imported here: only the artifact test and `build` need the compiler

    if f"vyper {vyper.__version__.split('+')[0]}" != COMPILER:
        raise RuntimeError(f"artifacts are built with {COMPILER}, found vyper {vyper.__version__}")
    source_path = CONTRACTS_DIR / f"{name}.vy"
    out = vyper.compile_code(source_path.read_text(), output_formats=["abi", "bytecode"])
    return Artifact(contract=name, compiler=COMPILER, abi=out["abi"], bytecode=out["bytecode"])


def load_artifact(name: str) -> Artifact:
    """Read the committed artifact of contract `name`."""
    return json.loads((CONTRACTS_DIR / f"{name}.json").read_text())


def build_all() -> list[Path]:
    """Recompile every `.vy` source and rewrite its committed artifact."""
    written = []
    for source in sorted(CONTRACTS_DIR.glob("*.vy")):
        path = source.with_suffix(".json")
        path.write_text(json.dumps(compile_contract(source.stem), indent=1) + "\n")
        written.append(path)
    return written

