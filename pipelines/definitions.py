"""The code location: everything under `pipelines/defs`, loaded in one call."""

import dagster as dg

import pipelines.defs

defs = dg.load_defs(defs_root=pipelines.defs)
