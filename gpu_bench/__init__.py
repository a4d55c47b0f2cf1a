"""gpu_bench: what a rented GPU really delivers, measured, fingerprinted and signed by its operator.

Suites (one module each, `run(device, config) -> list[Measurement]`): `matmul`, `bandwidth`,
`copy`, `inference`, `dataframe`. `runner.run_suites` composes them, `signing.sign_result` signs
the result, `binding` ties the key to an on-chain provider identity, `inbox.submit` delivers it,
and `verify.verify_submission` (with `bounds`, plausibility per device class) is what the pipeline
checks before loading it. Imports are lazy: importing the package loads neither torch nor
pandas (the cudf.pandas worker depends on that).

An installable distribution of its own (gpu_bench/pyproject.toml, the `gpu-bench` command): it
never imports the pipeline, and carries the GPU peak table and name map it needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Accepted",
    "Measurement",
    "Rejected",
    "RunResult",
    "Submission",
    "VerifyPolicy",
    "__version__",
    "run_suites",
    "sign_result",
    "verify_submission",
]

_EXPORTS = {
    "Measurement": "gpu_bench.schema",
    "RunResult": "gpu_bench.schema",
    "Submission": "gpu_bench.schema",
    "run_suites": "gpu_bench.runner",
    "sign_result": "gpu_bench.signing",
    "verify_submission": "gpu_bench.verify",
    "Accepted": "gpu_bench.verify",
    "Rejected": "gpu_bench.verify",
    "VerifyPolicy": "gpu_bench.verify",
}

if TYPE_CHECKING:
    from gpu_bench.runner import run_suites
    from gpu_bench.schema import Measurement, RunResult, Submission
    from gpu_bench.signing import sign_result
    from gpu_bench.verify import Accepted, Rejected, VerifyPolicy, verify_submission


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'gpu_bench' has no attribute {name!r}")
