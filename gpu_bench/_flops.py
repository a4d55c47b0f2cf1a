"""Work a decoder-only transformer must do per token: a lower bound the verifier can trust.

Kept free of torch so the pipeline's verifier can bound an inference figure (tokens/s ×
FLOPs per token ≤ the card's peak) without importing the benchmark's model.
"""

from __future__ import annotations

from collections.abc import Mapping


def matmul_flops_per_token(params: Mapping[str, object]) -> float | None:
    """2 × the weights every token multiplies through in the decoder blocks (no attention scores, no LM head).

    Returns None when the architecture parameters are missing, so no bound is claimed.
    """
    try:
        d_model, n_layers, d_ff = (int(params[k]) for k in ("d_model", "n_layers", "d_ff"))  # type: ignore[call-overload]
    except (KeyError, TypeError, ValueError):
        return None
    per_layer = 4 * d_model * d_model + 2 * d_model * d_ff  # qkv (3d²) + out proj (d²) + MLP up and down
    return 2.0 * n_layers * per_layer
