"""Run the pandas queries under cudf.pandas in a fresh process and print their figures as JSON.

cudf.pandas must be installed before pandas is first imported, and it changes pandas for the
whole process, so it gets a process of its own. cudf.pandas falls back to pandas on the CPU for
anything it cannot run on the GPU without saying so; the worker runs each query once under
cudf.pandas' Profiler and records any CPU call: such a figure is labelled
"cudf.pandas-cpu-fallback", never "cudf.pandas".

Usage: python -m gpu_bench._cudf_pandas_worker '{"rows": ..., "device": "cuda:0", "quick": ..., ...}'
"""

import cudf.pandas  # noqa: I001 - must come before anything imports pandas

cudf.pandas.install()

import json  # noqa: E402
import sys  # noqa: E402


def main(argv: list[str]) -> None:
    import pandas as pd
    from cudf.pandas import Profiler

    from gpu_bench._df_queries import generate, pandas_queries
    from gpu_bench._figures import figure
    from gpu_bench._timing import SuiteConfig, measure

    args = json.loads(argv[1])
    config = SuiteConfig(quick=args["quick"], warmup=args["warmup"], min_run_time_s=args["min_run_time_s"],
                         seed=args["seed"])
    x_cols, y_cols = generate(args["rows"], config.seed)
    x, y = pd.DataFrame(x_cols), pd.DataFrame(y_cols)
    out = []
    for name, query in pandas_queries(pd, x, y).items():
        with Profiler() as profiler:
            query()
        cpu_calls = sorted(f for f, calls in profiler.per_function_stats.items() if calls.get("cpu"))
        gpu_calls = sorted(f for f, calls in profiler.per_function_stats.items() if calls.get("gpu"))
        engine = "cudf.pandas-cpu-fallback" if cpu_calls or not gpu_calls else "cudf.pandas"
        stats = measure(query, config, label=f"cudf.pandas {name}")
        out.append(figure(suite="dataframe", metric=f"{name}_rows_per_s", engine=engine, device=args["device"],
                          work=args["rows"], unit="rows/s", stats=stats,
                          params={"rows": args["rows"], "query": name, "data_on": "device",
                                  "cpu_fallback_calls": ",".join(cpu_calls)[:500]}).model_dump(mode="json"))
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
