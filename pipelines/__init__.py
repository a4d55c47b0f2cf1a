"""The Dagster code location (`pipelines.definitions`) and the chain adapters (`pipelines.chains`)."""
