"""gpu_bench: throughput suites for rented GPUs (matmul, bandwidth, inference, dataframe),
hardware fingerprints and signed results. Built under the roadmap's gpu_bench issue."""
