"""depinlens: an honest, reproducible comparison of DePIN GPU-compute networks.

The working parts live in sibling packages: `pipelines` (Dagster code location and
chain adapters), `warehouse` (DuckDB schema, loads, publish, queries), `dashboards`
(Streamlit), `gpu_bench` (benchmarks) and `harness` (local chains for demo and tests).
This package holds what they share: settings, the network registry and the CLI.
"""

__version__ = "0.1.0"
