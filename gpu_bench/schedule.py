"""Recurring run-and-submit for an operator: a cron line or a systemd user timer, written and printed.

The choice: we write the entry and print how to enable it; we never edit a crontab or start a
unit behind the operator's back. cron is the default because it exists on nearly every Linux
host and the entry is one line; `--format systemd` writes a user service and timer with
`Persistent=true` (a run missed while the machine was off happens at the next boot) and a
randomized delay so many operators do not hit the inbox in the same second. Rented GPUs that are
containers often have neither; there the operator runs the printed command from the host's
scheduler or a loop of their own. Each run is `gpu-bench run --submit …` with the same
options, and a lock (flock for cron; systemd never starts a oneshot service twice) keeps two
runs from overlapping.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gpu_bench.errors import ScheduleError

Format = Literal["cron", "systemd"]
UNIT_NAME = "depinlens-bench"


@dataclass(frozen=True)
class Every:
    """An interval: N minutes, hours or days."""

    amount: int
    unit: Literal["m", "h", "d"]

    @classmethod
    def parse(cls, text: str) -> Every:
        match = re.fullmatch(r"\s*(\d+)\s*([mhd])\s*", text)
        if not match or int(match.group(1)) == 0:
            raise ScheduleError(f"--every {text!r}: write N followed by m, h or d (e.g. 30m, 6h, 1d)")
        every = cls(int(match.group(1)), match.group(2))  # type: ignore[arg-type]
        limit = {"m": 60, "h": 24, "d": 31}[every.unit]
        if every.unit != "d" and limit % every.amount:
            raise ScheduleError(f"--every {text}: {every.amount} does not divide {limit}, so cron and systemd cannot "
                                f"repeat it evenly; choose one of {[n for n in range(1, limit + 1) if limit % n == 0]}")
        if every.unit == "d" and every.amount > 28:
            raise ScheduleError(f"--every {text}: at most 28d")
        return every


def default_command() -> list[str]:
    """How to call gpu-bench from a scheduler (absolute path: cron has almost no PATH).

    The `gpu-bench` script beside this Python (the operator's install), else one on PATH, else
    `python -m gpu_bench`; the same command whether or not the pipeline is installed too.
    """
    beside = Path(sys.executable).with_name("gpu-bench")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("gpu-bench")
    return [found] if found else [sys.executable, "-m", "gpu_bench"]


def spread_minute(seed: str) -> int:
    """A stable minute (0-59) per operator so schedules do not all fire at :00."""
    return int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 60


def cron_expression(every: Every, minute: int) -> str:
    """Five-field cron for the interval, starting at `minute` past the hour."""
    if every.unit == "m":
        return f"*/{every.amount} * * * *"
    if every.unit == "h":
        return f"{minute} */{every.amount} * * *" if every.amount > 1 else f"{minute} * * * *"
    return f"{minute} 3 */{every.amount} * *" if every.amount > 1 else f"{minute} 3 * * *"


def on_calendar(every: Every, minute: int) -> str:
    """systemd OnCalendar= for the interval."""
    if every.unit == "m":
        return f"*-*-* *:00/{every.amount}:00"
    if every.unit == "h":
        return f"*-*-* 00/{every.amount}:{minute:02d}:00"
    return f"*-*-01/{every.amount} 03:{minute:02d}:00" if every.amount > 1 else f"*-*-* 03:{minute:02d}:00"


def cron_entry(every: Every, run_args: list[str], home: Path, minute: int) -> str:
    """One crontab line: locked, logged, with the bench home exported."""
    logs = home / "logs"
    command = " ".join(shlex.quote(a) for a in run_args)
    return (f"{cron_expression(every, minute)} DEPINLENS_BENCH_HOME={shlex.quote(str(home))} "
            f"flock -n {shlex.quote(str(home / '.schedule.lock'))} {command} "
            f">> {shlex.quote(str(logs / 'bench.log'))} 2>&1")


def systemd_units(every: Every, run_args: list[str], home: Path, minute: int) -> dict[str, str]:
    """The user service and timer texts, by file name."""
    command = " ".join(shlex.quote(a) for a in run_args)
    service = f"""[Unit]
Description=depinlens gpu_bench: run the benchmark suites and submit the signed result

[Service]
Type=oneshot
Environment=DEPINLENS_BENCH_HOME={home}
ExecStart={command}
"""
    timer = f"""[Unit]
Description=depinlens gpu_bench every {every.amount}{every.unit}

[Timer]
OnCalendar={on_calendar(every, minute)}
Persistent=true
RandomizedDelaySec=300

[Install]
WantedBy=timers.target
"""
    return {f"{UNIT_NAME}.service": service, f"{UNIT_NAME}.timer": timer}


def systemd_user_dir() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "systemd" / "user"


def write_schedule(fmt: Format, every: Every, run_args: list[str], home: Path, *, seed: str) -> tuple[list[Path], str]:
    """Write the entry and return (files written, what the operator runs to enable it)."""
    minute = spread_minute(seed)
    (home / "logs").mkdir(parents=True, exist_ok=True)
    if fmt == "cron":
        path = home / f"{UNIT_NAME}.cron"
        path.write_text(cron_entry(every, run_args, home, minute) + "\n")
        enable = f"(crontab -l 2>/dev/null; cat {shlex.quote(str(path))}) | crontab -"
        return [path], enable
    folder = systemd_user_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in systemd_units(every, run_args, home, minute).items():
        (folder / name).write_text(text)
        written.append(folder / name)
    enable = f"systemctl --user daemon-reload && systemctl --user enable --now {UNIT_NAME}.timer"
    return written, enable
