"""`python -m harness.contracts`: recompile the reference contracts into their artifacts."""

from harness.contracts import build_all

for path in build_all():
    print(f"wrote {path}")
