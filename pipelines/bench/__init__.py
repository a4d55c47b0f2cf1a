"""Pipeline side of gpu_bench: verify inbox submissions and load the verdicts into the warehouse."""
