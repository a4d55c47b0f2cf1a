"""Dagster definitions, one module per concept; `pipelines.definitions` loads this package."""
