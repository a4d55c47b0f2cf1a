"""Every gpu_bench suite really runs here in quick mode (CPU), names the engine that ran, reports
stats that agree with its figure, and never passes a CPU figure off as a GPU one. GPU-only
checks run where torch sees CUDA and are skipped elsewhere, saying why.

These tests import gpu_bench alone (no pipeline), so scripts/gpu_check.sh runs them in the
operator's environment on a GPU machine. The cuDF tests skip only when cuDF is not installed:
installed, it must really run every query on the GPU, or the test fails.
"""

from __future__ import annotations

import importlib.util
import sys
import types

import pytest

from gpu_bench import bandwidth, copy, dataframe, inference, matmul
from gpu_bench._timing import SuiteConfig, measure, quantile
from gpu_bench.errors import DeviceUnavailable
from gpu_bench.fingerprint import collect, throttle_reason_names
from gpu_bench.schema import UNIT_SCALE, Measurement, Skipped

QUICK = SuiteConfig.for_mode(quick=True)


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


requires_cuda = pytest.mark.skipif(not _has_cuda(), reason="needs a CUDA device (GPU-only path)")
requires_cudf_polars = pytest.mark.skipif(
    not _installed("cudf_polars"), reason="cudf-polars is not installed (gpu_bench's gpu extra): its engine is not tested")
requires_cudf = pytest.mark.skipif(
    not _installed("cudf"), reason="cudf is not installed (gpu_bench's gpu extra): cudf.pandas is not tested")
requires_no_cuda = pytest.mark.skipif(_has_cuda(), reason="checks the behaviour of a machine without CUDA")


def _consistent(m: Measurement) -> None:
    assert m.value == pytest.approx(m.work / m.stats.median_s / UNIT_SCALE[m.unit])
    assert m.stats.min_s <= m.stats.p5_s <= m.stats.median_s <= m.stats.p95_s <= m.stats.max_s
    assert m.stats.warmup == QUICK.warmup and m.stats.reps >= 1


def test_timing_reports_the_median_and_percentiles_of_the_timed_blocks() -> None:
    import time

    stats = measure(lambda: time.sleep(0.002), SuiteConfig(quick=True, warmup=2, min_run_time_s=0.05))
    assert 0.002 <= stats.median_s < 0.02
    assert stats.reps >= 5 and stats.warmup == 2
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5 and quantile([1.0, 2.0, 3.0, 4.0], 0.05) == pytest.approx(1.15)


def test_a_block_longer_than_the_minimum_run_time_is_still_timed_five_times() -> None:
    """torch's Timer stops after one block when that block outlasts min_run_time (seen on an H200 host
    whose timer overhead made it size 100-call blocks): percentiles of one time would equal the median."""
    import time

    stats = measure(lambda: time.sleep(0.003), SuiteConfig(quick=True, warmup=0, min_run_time_s=0.001))
    assert stats.reps == 5 and stats.calls_per_rep == 1
    assert stats.min_s <= stats.p5_s <= stats.median_s <= stats.p95_s <= stats.max_s and stats.min_s >= 0.003


def test_matmul_sweeps_shapes_per_precision_and_flags_one_best_shape_each() -> None:
    skipped: list[Skipped] = []
    figures = matmul.run("cpu", QUICK, skipped)
    assert {m.precision for m in figures} == {"fp32", "fp16", "bf16"}
    for precision in ("fp32", "fp16", "bf16"):
        sweep = [m for m in figures if m.precision == precision]
        assert len(sweep) == len(matmul.shapes("cpu", quick=True))
        best = [m for m in sweep if m.best_of_sweep]
        assert len(best) == 1 and best[0].value == max(m.value for m in sweep)
    for m in figures:
        _consistent(m)
        assert m.engine == "cpu" and m.unit == "TFLOP/s"
        assert m.work == 2.0 * m.params["m"] * m.params["n"] * m.params["k"]
    fp32 = next(m for m in figures if m.precision == "fp32")
    assert fp32.params["float32_matmul_precision"] == "highest"  # IEEE fp32, not TF32
    assert [(s.what, s.engine) for s in skipped] == [("matmul tf32", "cpu")]
    assert "would be an fp32 figure" in skipped[0].reason


def test_bandwidth_counts_bytes_read_and_written() -> None:
    figures = bandwidth.run("cpu", QUICK)
    assert [m.params["bytes_per_buffer"] for m in figures] == bandwidth.sizes("cpu", quick=True)
    for m in figures:
        _consistent(m)
        assert m.work == 2 * m.params["bytes_per_buffer"] and m.engine == "cpu" and m.unit == "GB/s"


def test_without_cuda_copies_are_host_to_host_and_host_device_copies_are_skipped() -> None:
    skipped: list[Skipped] = []
    figures = copy.run("cpu", QUICK, skipped)
    assert {m.metric for m in figures} == {"h2h_gbs"} and all(not m.params["pinned"] for m in figures)
    for m in figures:
        _consistent(m)
    assert skipped[0].what == "h2d/d2h pinned copies" and "no CUDA device" in skipped[0].reason


def test_inference_times_prefill_and_decode_of_the_decoder_in_code() -> None:
    figures = inference.run("cpu", QUICK)
    shape = inference.shape_for("cpu", quick=True)
    by_metric = {m.metric: m for m in figures}
    assert set(by_metric) == {"prefill_tokens_per_s", "decode_tokens_per_s"}
    assert by_metric["prefill_tokens_per_s"].work == shape.batch * shape.prompt_tokens
    assert by_metric["decode_tokens_per_s"].work == shape.batch * shape.decode_tokens
    for m in figures:
        _consistent(m)
        assert m.precision == "fp32" and m.engine == "cpu" and m.params["kv_cache"] is True


def test_the_decoder_is_deterministic_and_its_kv_cache_matches_a_full_forward_pass() -> None:
    import torch

    shape = inference.shape_for("cpu", quick=True)
    model = inference.build_model(shape, "cpu", torch.float32, seed=7)
    again = inference.build_model(shape, "cpu", torch.float32, seed=7)
    tokens = torch.randint(0, shape.vocab, (shape.batch, shape.prompt_tokens + 1))
    with torch.inference_mode():
        full = model(tokens, model.new_cache(), 0)
        cache = model.new_cache()
        model(tokens[:, :-1], cache, 0)
        stepped = model(tokens[:, -1:], cache, shape.prompt_tokens)
        assert torch.allclose(full, stepped, atol=1e-5)
        assert torch.equal(full, again(tokens, again.new_cache(), 0))


def test_dataframe_runs_polars_and_pandas_on_cpu_and_records_cudf_engines_as_skipped() -> None:
    skipped: list[Skipped] = []
    figures = dataframe.run("cpu", QUICK, skipped)
    assert {(m.engine, m.params["query"]) for m in figures} == {
        (engine, query) for engine in ("polars-cpu", "pandas-cpu")
        for query in ("groupby_q1", "groupby_q2", "groupby_q3", "join_q1")}
    for m in figures:
        _consistent(m)
        assert m.work == dataframe.rows_for("cpu", quick=True) and m.device == "cpu"
    assert {s.engine for s in skipped} == {"cudf-polars", "cudf.pandas"}


def test_polars_and_pandas_queries_give_the_same_answers() -> None:
    import pandas as pd
    import polars as pl

    from gpu_bench._df_queries import generate, pandas_queries, polars_queries

    x, y = generate(5_000, seed=3)
    lazy = polars_queries(pl.DataFrame(x), pl.DataFrame(y))
    eager = pandas_queries(pd, pd.DataFrame(x), pd.DataFrame(y))
    q1_polars = dict(lazy["groupby_q1"].collect(engine="in-memory").iter_rows())
    q1_pandas = eager["groupby_q1"]()["v1"].to_dict()
    assert q1_polars == q1_pandas and sum(q1_polars.values()) == int(x["v1"].sum())
    assert lazy["join_q1"].collect(engine="in-memory").height == len(eager["join_q1"]()) == 5_000


@requires_no_cuda
def test_asking_for_cuda_without_it_fails_instead_of_running_on_the_cpu() -> None:
    from gpu_bench.runner import resolve_device

    assert resolve_device("auto") == "cpu"
    with pytest.raises(DeviceUnavailable, match="sees no CUDA device"):
        resolve_device("cuda")


def test_the_fingerprint_without_nvml_records_why_and_still_describes_the_machine() -> None:
    fingerprint = collect()
    if fingerprint.gpu_info_source == "nvml":
        pytest.skip("NVML is present here")
    assert fingerprint.nvml_error and fingerprint.cpu_logical_cores >= 1 and fingerprint.memory_total_bytes > 2**28
    assert fingerprint.cpu_model and fingerprint.packages["torch"].startswith("2.13")


def test_the_nvml_path_reads_every_field_the_schema_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """NVML cannot load on a machine without a driver; this stand-in answers as NVML's Python
    bindings do for an H100 so the reading code itself is exercised."""
    class NVMLError(Exception):
        pass

    h100 = object()
    fake = types.SimpleNamespace(
        NVMLError=NVMLError, NVML_CLOCK_SM=1, NVML_CLOCK_MEM=2, NVML_TEMPERATURE_GPU=0,
        nvmlInit=lambda: None, nvmlShutdown=lambda: None,
        nvmlSystemGetDriverVersion=lambda: "560.35.03", nvmlSystemGetCudaDriverVersion_v2=lambda: 12060,
        nvmlDeviceGetCount=lambda: 1, nvmlDeviceGetHandleByIndex=lambda i: h100,
        nvmlDeviceGetName=lambda h: "NVIDIA H100 80GB HBM3",
        nvmlDeviceGetPciInfo=lambda h: types.SimpleNamespace(pciDeviceId=0x233010DE, busId=b"00000000:19:00.0"),
        nvmlDeviceGetUUID=lambda h: "GPU-5b4f3c1e-0000-1111-2222-333344445555",
        nvmlDeviceGetMemoryInfo=lambda h: types.SimpleNamespace(total=85_520_809_984),
        nvmlDeviceGetClockInfo=lambda h, kind: {1: 1980, 2: 2619}[kind],
        nvmlDeviceGetMaxClockInfo=lambda h, kind: {1: 1980, 2: 2619}[kind],
        nvmlDeviceGetEnforcedPowerLimit=lambda h: 700_000,
        nvmlDeviceGetTemperature=lambda h, sensor: 38,
        nvmlDeviceGetCurrentClocksEventReasons=lambda h: 0x4 | 0x20,
    )

    def unsupported(h):
        raise NVMLError("Not Supported")

    fake.nvmlDeviceGetUUID = unsupported  # a vGPU may refuse some queries: recorded as unknown
    monkeypatch.setitem(sys.modules, "pynvml", fake)
    fingerprint = collect()
    assert fingerprint.gpu_info_source == "nvml" and fingerprint.driver_version == "560.35.03"
    assert fingerprint.cuda_driver_version == "12.6"
    (gpu,) = fingerprint.gpus
    assert (gpu.name, gpu.pci_device_id, gpu.pci_bus_id, gpu.uuid) == \
        ("NVIDIA H100 80GB HBM3", "0x233010DE", "00000000:19:00.0", None)
    assert (gpu.memory_total_bytes, gpu.sm_clock_mhz, gpu.max_mem_clock_mhz, gpu.power_limit_w, gpu.temperature_c) == \
        (85_520_809_984, 1980, 2619, 700.0, 38)
    assert gpu.throttle_reasons == ["sw_power_cap", "sw_thermal_slowdown"] == throttle_reason_names(0x24)


@requires_cuda
def test_on_cuda_matmul_measures_tf32_and_records_the_cuda_engine() -> None:
    skipped: list[Skipped] = []
    figures = matmul.run("cuda:0", QUICK, skipped)
    assert {m.engine for m in figures} == {"cuda"} and "tf32" in {m.precision for m in figures}
    assert next(m for m in figures if m.precision == "tf32").params["float32_matmul_precision"] == "high"


@requires_cuda
def test_on_cuda_copies_measure_pinned_host_device_transfers() -> None:
    figures = copy.run("cuda:0", QUICK)
    assert {(m.metric, m.params["pinned"]) for m in figures} >= {("h2d_gbs", True), ("d2h_gbs", True)}


@pytest.fixture(scope="module")
def gpu_dataframes() -> tuple[list[Measurement], list[Skipped]]:
    """The dataframe suite on cuda:0, once for the cuDF tests; installed cuDF without a GPU is a failure."""
    assert _has_cuda(), ("cuDF is installed but torch sees no CUDA device, so the cuDF engines cannot run: "
                         "run these tests on the GPU machine (scripts/gpu_check.sh) or leave the gpu extra out")
    skipped: list[Skipped] = []
    return dataframe.run("cuda:0", QUICK, skipped), skipped


@requires_cudf_polars
def test_with_cudf_polars_installed_every_query_runs_on_the_gpu_engine(gpu_dataframes) -> None:
    from gpu_bench._df_queries import QUERIES

    figures, skipped = gpu_dataframes
    refused = [f"{s.what}: {s.reason}" for s in skipped if s.engine == "cudf-polars"]
    assert not refused, f"cudf-polars is installed but did not run: {refused}"
    ran = {m.params["query"] for m in figures if m.engine == "cudf-polars"}
    assert ran == set(QUERIES) and all(m.device == "cuda:0" for m in figures if m.engine == "cudf-polars")


@requires_cudf
def test_with_cudf_installed_cudf_pandas_runs_every_query_on_the_gpu_without_cpu_fallback(gpu_dataframes) -> None:
    from gpu_bench._df_queries import QUERIES

    figures, skipped = gpu_dataframes
    refused = [f"{s.what}: {s.reason}" for s in skipped if s.engine == "cudf.pandas"]
    assert not refused, f"cudf is installed but cudf.pandas did not run: {refused}"
    fell_back = {m.params["query"]: m.params.get("cpu_fallback_calls") for m in figures
                 if m.engine == "cudf.pandas-cpu-fallback"}
    assert not fell_back, f"cudf.pandas fell back to pandas on the CPU: {fell_back}"
    assert {m.params["query"] for m in figures if m.engine == "cudf.pandas"} == set(QUERIES)
