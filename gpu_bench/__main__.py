"""`python -m gpu_bench`: the operator's command line, as the `gpu-bench` script runs it."""

from gpu_bench.cli import main

main()
