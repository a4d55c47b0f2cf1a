"""Build of the optional C scanner (pipelines/chains/solana/_spl_scan.c); everything else is in pyproject.toml.

The scanner is optional: where no C compiler is at hand the install goes on without it and the
pipeline decodes getTransaction answers in Python (msgspec structs), with the same rows and errors.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("pipelines.chains.solana._spl_scan", ["pipelines/chains/solana/_spl_scan.c"],
                             extra_compile_args=["-O3", "-std=c11"], optional=True)])
