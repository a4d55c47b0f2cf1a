"""Memory-safety check of the C scanner (pipelines/chains/solana/_spl_scan.c) under AddressSanitizer and UBSan.

Builds a copy of the extension with `-fsanitize=address,undefined`, then feeds it getTransaction
answers (LiteSVM's, as benchmarks/solana_decode.py builds them) damaged at random bytes: bytes
deleted, inserted, replaced, stretches cut. Every answer the scanner reads must be one orjson
parses (the scanner never reads text orjson refuses); batches of them and random bytes handed to
`assemble` must not crash. A sanitizer report ends the run with its stack.

The sanitized run imports nothing of the package (pycryptodome's RTLD_DEEPBIND is incompatible
with ASan), so the answers are built first in a normal process.

    .venv/bin/python scripts/fuzz_spl_scan.py [--answers 100000] [--seed 1]

Not part of the test suite (ASan cannot load beside the packages the tests import); run it after
changing the C file. tests/test_solana_decode.py checks the scanner's rows and declines.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pickle
import random
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "pipelines" / "chains" / "solana" / "_spl_scan.c"
DAMAGE = b'"\\{}[],: \t0-+e.Eu\x00\x1f\x7f\x80\xc3\xed\xff'


def build(work: Path) -> Path:
    """The extension compiled with both sanitizers into `work`."""
    target = work / ("_spl_scan" + sysconfig.get_config_var("EXT_SUFFIX"))
    subprocess.run(["gcc", "-O1", "-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-std=c11",
                    "-Wall", "-Wextra", "-shared", "-fPIC", f"-I{sysconfig.get_paths()['include']}", str(SOURCE),
                    "-o", str(target)], check=True)
    return target


def damaged(body: bytes, rng: random.Random) -> bytes:
    out = bytearray(body)
    for _ in range(rng.randint(1, 4)):
        at, operation = rng.randrange(len(out)), rng.randrange(4)
        if operation == 0:
            del out[at]
        elif operation == 1:
            out.insert(at, rng.choice(DAMAGE))
        elif operation == 2:
            out[at] = rng.choice(DAMAGE)
        else:
            del out[at:at + rng.randint(1, 400)]
    return bytes(out)


def fuzz(extension: Path, bodies: list[bytes], answers: int, seed: int) -> None:
    """Runs under the sanitizers: the scanner on damaged answers, batches and bytes that are not packed rows."""
    import orjson

    spec = importlib.util.spec_from_file_location("_spl_scan", extension)
    scan = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scan)
    rng = random.Random(seed)
    read = 0
    for n in range(answers):
        body = damaged(rng.choice(bodies), rng)
        packed = scan.scan_answer(body)
        if packed is None:
            continue
        read += 1
        try:
            orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise SystemExit(f"the scanner read an answer orjson refuses ({exc}): {body[:200]!r}") from None
        scan.assemble([packed])
        if n % 50 == 0:
            scan.scan_batch(b"[" + body + b"," + body + b"]")
    for _ in range(answers // 50):
        try:
            scan.assemble([rng.randbytes(rng.randrange(300))])
        except ValueError:
            pass
    print(f"{answers:,} damaged answers: {read:,} read (all parsed by orjson), {answers - read:,} declined; "
          "no sanitizer report")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=100_000, help="damaged answers to scan (default 100,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sanitized", type=Path, help=argparse.SUPPRESS)  # the second process: work directory
    args = parser.parse_args()
    if args.sanitized:
        fuzz(next(args.sanitized.glob("_spl_scan*")), pickle.loads((args.sanitized / "answers.pickle").read_bytes()),
             args.answers, args.seed)
        return

    sys.path.insert(0, str(ROOT))
    from benchmarks.solana_decode import build_answers

    with tempfile.TemporaryDirectory(prefix="fuzz_spl_scan_") as tmp:
        work = Path(tmp)
        build(work)
        (work / "answers.pickle").write_bytes(pickle.dumps(build_answers(300)))
        runtime = [subprocess.run(["gcc", f"-print-file-name={lib}"], capture_output=True, text=True,
                                  check=True).stdout.strip() for lib in ("libasan.so", "libubsan.so")]
        env = {**os.environ, "LD_PRELOAD": ":".join(runtime), "ASAN_OPTIONS": "detect_leaks=0",
               "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
               "PYTHONMALLOC": "malloc"}  # every bytes object from malloc: ASan sees past its end
        done = subprocess.run([sys.executable, __file__, "--sanitized", str(work), "--answers", str(args.answers),
                               "--seed", str(args.seed)], env=env, check=False)
        if done.returncode:
            raise SystemExit(f"the sanitized run failed (exit {done.returncode}): see its report above")


if __name__ == "__main__":
    main()
