"""Run the anvil EVM node (npm `@foundry-rs/anvil`, pinned by package-lock.json) on loopback.

Why its native binary and not `npx anvil`: npx's node wrapper would sit between us and
anvil, and killing the wrapper can orphan the node. We start the binary itself in its
own process group, ask the kernel to kill it if Python dies, and stop it on exit.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import platform
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from depinlens.settings import PROJECT_ROOT

_PR_SET_PDEATHSIG = 1


class AnvilError(RuntimeError):
    """anvil could not be found, started or reached."""


def anvil_binary() -> Path:
    """Path of the anvil binary installed by `npm ci`, or one on PATH."""
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine().lower()]
    system = {"Linux": "linux", "Darwin": "darwin"}.get(platform.system(), "win32")
    candidate = PROJECT_ROOT / "node_modules" / "@foundry-rs" / f"anvil-{system}-{arch}" / "bin" / "anvil"
    if candidate.exists():
        return candidate
    found = shutil.which("anvil")
    if found:
        return Path(found)
    raise AnvilError(f"anvil not found at {candidate}; run `npm ci` in {PROJECT_ROOT}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: have the kernel send SIGTERM to anvil when the Python process dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


class Anvil:
    """A running anvil node; use as a context manager so it always stops.

    Args:
        genesis_timestamp: unix time of block 0 (the demo and tests back-date the chain
            so they can mine blocks on chosen days).
        port: TCP port; a free one by default.
    """

    def __init__(self, *, genesis_timestamp: int | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._genesis_timestamp = genesis_timestamp
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 20.0) -> Anvil:
        """Start the node and wait until it answers `eth_chainId`."""
        args = [str(anvil_binary()), "--host", "127.0.0.1", "--port", str(self.port), "--silent"]
        if self._genesis_timestamp is not None:
            args += ["--timestamp", str(self._genesis_timestamp)]
        self._process = subprocess.Popen(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_die_with_parent if os.name == "posix" else None,
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                err = self._process.stderr.read().decode(errors="replace") if self._process.stderr else ""
                raise AnvilError(f"anvil exited with code {self._process.returncode}: {err.strip()}")
            try:
                reply = httpx.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=1)
                if reply.status_code == 200 and "result" in reply.json():
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise AnvilError(f"anvil did not answer on {self.url} within {timeout_s:.0f} s")

    def stop(self) -> None:
        """Terminate the node's process group; kill it if it lingers. Safe to call twice."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass
        finally:
            if process.stderr:
                process.stderr.close()

    @property
    def pid(self) -> int | None:
        """Process id while running, else None."""
        return self._process.pid if self._process else None

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
