"""Where to reach a chain: its endpoint URL from the environment variable the registry names."""

from __future__ import annotations

import os

from depinlens.registry import Chain
from pipelines.chains.errors import ConfigError

_KIND = {"evm": "RPC", "solana": "RPC", "cosmos": "REST"}


def endpoint_url(chain: Chain) -> str:
    """The RPC (EVM, Solana) or REST (Cosmos) URL of `chain`, or a ConfigError naming the variable to set."""
    url = os.environ.get(chain.rpc_url_env, "").strip()
    if not url:
        kind = _KIND.get(chain.family, "endpoint")
        raise ConfigError(f"no {kind} URL for chain {chain.id!r}: set {chain.rpc_url_env} "
                          f"(e.g. export {chain.rpc_url_env}=https://your-provider.example/<key>)")
    return url
