"""Where the operator's key, results and schedule live, and how the key is kept.

The bench home is $DEPINLENS_BENCH_HOME, else $XDG_CONFIG_HOME/depinlens/bench (by default
~/.config/depinlens/bench). The key is one file, readable by the owner only:
`operator-key.json` for ed25519 (solana-keygen's format: a JSON array of 64 integers, so an
existing Solana node identity can be imported and `solana-keygen pubkey` reads ours), or
`operator-key.eth` for secp256k1 (a 0x-hex private key). Keys are never deleted: replacing one
renames the old file with a timestamp. A provider binding (gpu_bench.binding) of the key is
`binding.json` beside it; every run carries it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from gpu_bench.errors import KeyProblem
from gpu_bench.schema import Binding, KeyType
from gpu_bench.signing import Ed25519Key, OperatorKey, Secp256k1Key

KEY_FILES: dict[str, str] = {"ed25519": "operator-key.json", "secp256k1": "operator-key.eth"}
BINDING_FILE = "binding.json"


def bench_home() -> Path:
    """The operator's gpu_bench folder (not created here)."""
    if os.environ.get("DEPINLENS_BENCH_HOME"):
        return Path(os.environ["DEPINLENS_BENCH_HOME"]).expanduser()
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "depinlens" / "bench"


def key_path(home: Path) -> Path | None:
    """The key file in `home`, or None."""
    found = [home / name for name in KEY_FILES.values() if (home / name).exists()]
    if len(found) > 1:
        raise KeyProblem(f"two operator keys in {home} ({', '.join(p.name for p in found)}): keep one "
                         "(rename the other) so every submission is signed by the same identity")
    return found[0] if found else None


def load_key(home: Path) -> OperatorKey:
    """The operator key in `home`.

    Raises:
        KeyProblem: there is none, or it cannot be read.
    """
    path = key_path(home)
    if path is None:
        raise KeyProblem(f"no operator key in {home}: create one with `gpu-bench keys` "
                         "(or import a Solana keypair with `gpu-bench keys --import PATH`)")
    try:
        text = path.read_text()
        return Ed25519Key.from_json(text) if path.name == KEY_FILES["ed25519"] else Secp256k1Key.from_hex(text)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same advice
        raise KeyProblem(f"cannot read the operator key {path}: {exc}") from exc


def create_key(home: Path, key_type: KeyType, *, import_from: Path | None = None, replace: bool = False) -> OperatorKey:
    """Generate (or import) the operator key and store it with mode 0600.

    Args:
        home: the bench home.
        key_type: ed25519 (Solana) or secp256k1 (EVM).
        import_from: a solana-keygen JSON file (ed25519) or a file holding a 0x-hex private key.
        replace: keep the existing key under a timestamped name and store the new one.
    """
    existing = key_path(home)
    if existing and not replace:
        raise KeyProblem(f"an operator key already exists at {existing}; pass --replace to keep it aside "
                         "and make a new one (submissions already signed stay valid)")
    if import_from is not None:
        text = Path(import_from).expanduser().read_text()
        key: OperatorKey = Ed25519Key.from_json(text) if key_type == "ed25519" else Secp256k1Key.from_hex(text)
    else:
        key = Ed25519Key.generate() if key_type == "ed25519" else Secp256k1Key.generate()
    home.mkdir(parents=True, exist_ok=True)
    if existing:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        existing.rename(existing.with_name(f"{existing.name}.replaced-{stamp}"))
    path = home / KEY_FILES[key_type]
    secret = key.to_json() if isinstance(key, Ed25519Key) else key.to_hex()  # type: ignore[union-attr]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    return key


def save_binding(home: Path, binding: Binding) -> Path:
    """Store the key's provider binding (replacing an earlier one); returns its path."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / BINDING_FILE
    tmp = path.with_name(f".{BINDING_FILE}.tmp")
    tmp.write_text(binding.model_dump_json(indent=2) + "\n")
    os.replace(tmp, path)
    return path


def load_binding(home: Path, key: OperatorKey) -> Binding | None:
    """The stored binding of `key`, or None when there is none (runs are then self-attested).

    Raises:
        KeyProblem: the file cannot be read, or it binds another operator key (one replaced since).
    """
    from gpu_bench.binding import problem

    path = home / BINDING_FILE
    if not path.exists():
        return None
    try:
        binding = Binding.model_validate_json(path.read_text())
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same advice
        raise KeyProblem(f"cannot read the provider binding {path}: {exc}; run `gpu-bench bind` again") from exc
    wrong = problem(binding, key.key_type, key.public_key)
    if wrong:
        raise KeyProblem(f"the provider binding {path} does not hold for the operator key {key.public_key} ({wrong}); "
                         "the key was replaced since? Run `gpu-bench bind` again")
    return binding
