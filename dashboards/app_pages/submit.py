"""Submit a benchmark: upload a signed gpu_bench result, see the verifier's verdict at once."""

import hashlib
import os
from datetime import UTC, datetime

import streamlit as st

from dashboards.filters import keep_in_url
from depinlens.settings import Settings
from gpu_bench.verify import VerifyPolicy

# the verifier's own limit (1 MiB); .streamlit/config.toml serves the same (maxUploadSize = 1, in MiB), so the
# upload widget refuses a larger file before it is sent
MAX_BYTES = VerifyPolicy().max_bytes

st.title("Submit a benchmark")
st.caption("Files go only to the submissions inbox; the pipeline's sensor verifies them again and loads "
           "accepted runs. Nothing here writes the warehouse.")
keep_in_url()  # no filter here, but a reload or a copied link keeps the view the other pages show
inbox = os.environ.get("DEPINLENS_BENCH_INBOX") or str(Settings.from_env().data_dir / "submissions")
upload = st.file_uploader("Signed result (.json from `depinlens bench run`)", type=["json"], key="upload")
if upload is None:
    st.info(f"Make one with `depinlens bench run` (add `--quick` for a smoke test). Size limit {MAX_BYTES // 1024:,} KiB, "
            "the verifier's own.")
    st.stop()

content = upload.getvalue()
if len(content) > MAX_BYTES:
    st.error(f"Refused: {len(content):,} bytes is over the {MAX_BYTES:,}-byte limit. Nothing was stored.")
    st.stop()

from gpu_bench.inbox import submit  # noqa: E402  (imports kept off the page's first render)
from gpu_bench.peaks import canonical_gpu_model, load_peak_specs  # noqa: E402
from gpu_bench.verify import verify_submission  # noqa: E402

verdict = verify_submission(content, seen_nonces=set(), peaks=load_peak_specs(), canonical_model=canonical_gpu_model,
                            now=datetime.now(UTC))
if not verdict.accepted:
    st.error(f"Rejected ({verdict.code}): {verdict.text}")
    st.caption("Rejected files are not stored. Fix the cause and upload again.")
    st.stop()

name = f"{verdict.submission.result.run_id}.json" if hasattr(verdict.submission, "result") else \
    f"{hashlib.sha256(content).hexdigest()[:32]}.json"
submit(content, name, inbox)
st.success(f"Accepted by the verifier and delivered to the submissions inbox as `{name}`. "
           "It appears on the Benchmarks page after the next pipeline run (replays are caught there).")
