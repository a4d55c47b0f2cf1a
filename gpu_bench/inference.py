"""LLM-style inference (tokens/s): a small decoder-only transformer with random weights.

The model is defined here (pre-norm blocks, causal self-attention through
scaled_dot_product_attention, a KV cache, GELU MLP, tied-free LM head); weights are random
with a fixed seed, so nothing is downloaded. Prefill times one forward pass over the prompt
(batch × prompt tokens); decode times greedy generation of `decode_tokens` tokens one step at a
time against the KV cache (batch × decode tokens).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from gpu_bench._figures import figure, is_cuda, note_skip
from gpu_bench._timing import SuiteConfig, measure
from gpu_bench.schema import Measurement, Precision, Skipped

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class DecoderShape:
    """Architecture and workload of one inference measurement."""

    vocab: int
    d_model: int
    n_layers: int
    n_heads: int
    d_ff: int
    batch: int
    prompt_tokens: int
    decode_tokens: int


def shape_for(device: str, quick: bool) -> DecoderShape:
    """Tiny in quick mode; about 25M block weights on a CPU; about 800M on a GPU."""
    if quick:
        return DecoderShape(vocab=256, d_model=64, n_layers=2, n_heads=4, d_ff=256, batch=2, prompt_tokens=16,
                            decode_tokens=4)
    if is_cuda(device):
        return DecoderShape(vocab=32000, d_model=2048, n_layers=16, n_heads=16, d_ff=8192, batch=8,
                            prompt_tokens=512, decode_tokens=64)
    return DecoderShape(vocab=32000, d_model=512, n_layers=8, n_heads=8, d_ff=2048, batch=1, prompt_tokens=128,
                        decode_tokens=32)


def build_model(shape: DecoderShape, device: str, dtype: torch.dtype, seed: int) -> torch.nn.Module:
    """The decoder with random weights (fixed seed), in eval mode on `device`."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm1 = nn.LayerNorm(shape.d_model)
            self.qkv = nn.Linear(shape.d_model, 3 * shape.d_model, bias=False)
            self.proj = nn.Linear(shape.d_model, shape.d_model, bias=False)
            self.norm2 = nn.LayerNorm(shape.d_model)
            self.up = nn.Linear(shape.d_model, shape.d_ff, bias=False)
            self.down = nn.Linear(shape.d_ff, shape.d_model, bias=False)

        def forward(self, x: torch.Tensor, cache: tuple[torch.Tensor, torch.Tensor], start: int) -> torch.Tensor:
            b, t, d = x.shape
            h = shape.n_heads
            q, k, v = self.qkv(self.norm1(x)).view(b, t, 3, h, d // h).permute(2, 0, 3, 1, 4)
            k_cache, v_cache = cache
            k_cache[:, :, start:start + t] = k
            v_cache[:, :, start:start + t] = v
            keys, values = k_cache[:, :, :start + t], v_cache[:, :, :start + t]
            # A prompt attends causally; one new token attends to everything cached before it.
            attn = F.scaled_dot_product_attention(q, keys, values, is_causal=t > 1 and start == 0)
            x = x + self.proj(attn.transpose(1, 2).reshape(b, t, d))
            return x + self.down(F.gelu(self.up(self.norm2(x))))

    class Decoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(shape.vocab, shape.d_model)
            self.pos = nn.Embedding(shape.prompt_tokens + shape.decode_tokens, shape.d_model)
            self.blocks = nn.ModuleList(Block() for _ in range(shape.n_layers))
            self.norm = nn.LayerNorm(shape.d_model)
            self.head = nn.Linear(shape.d_model, shape.vocab, bias=False)

        def new_cache(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
            size = (shape.batch, shape.n_heads, shape.prompt_tokens + shape.decode_tokens,
                    shape.d_model // shape.n_heads)
            param = self.head.weight
            return [(param.new_zeros(size), param.new_zeros(size)) for _ in self.blocks]

        def forward(self, tokens: torch.Tensor, cache: list, start: int) -> torch.Tensor:
            positions = torch.arange(start, start + tokens.shape[1], device=tokens.device)
            x = self.embed(tokens) + self.pos(positions)
            for block, layer_cache in zip(self.blocks, cache, strict=True):
                x = block(x, layer_cache, start)
            return self.head(self.norm(x[:, -1:]))  # logits of the last position only

    torch.manual_seed(seed)
    model = Decoder()
    for p in model.parameters():
        if p.dim() > 1:
            nn.init.normal_(p, std=1.0 / math.sqrt(p.shape[-1]))
    return model.to(device=device, dtype=dtype).eval()


def precisions(device: str) -> list[Precision]:
    """fp32 on a CPU; fp16 and bf16 on a GPU."""
    return ["fp16", "bf16"] if is_cuda(device) else ["fp32"]


def run(device: str, config: SuiteConfig, skipped: list[Skipped] | None = None) -> list[Measurement]:
    """Prefill and decode tokens/s of the decoder for each precision on `device`."""
    import torch

    shape = shape_for(device, config.quick)
    engine = "cuda" if is_cuda(device) else "cpu"
    dtypes = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
    measurements: list[Measurement] = []
    for precision in precisions(device):
        if precision == "bf16" and not torch.cuda.is_bf16_supported():
            note_skip(skipped, suite="inference", what="inference bf16", engine=engine,
                      reason=f"{torch.cuda.get_device_name(device)} has no bf16 support")
            continue
        model = build_model(shape, device, dtypes[precision], config.seed)
        generator = torch.Generator(device="cpu").manual_seed(config.seed)
        prompt = torch.randint(0, shape.vocab, (shape.batch, shape.prompt_tokens), generator=generator).to(device)
        cache = model.new_cache()

        def prefill(model=model, prompt=prompt, cache=cache) -> torch.Tensor:
            return model(prompt, cache, 0)

        def decode(model=model, prompt=prompt, cache=cache) -> torch.Tensor:
            token = prompt[:, -1:]
            for step in range(shape.decode_tokens):
                token = model(token, cache, shape.prompt_tokens + step).argmax(dim=-1)
            return token

        params = {**asdict(shape), "block_params": int(sum(p.numel() for b in model.blocks for p in b.parameters())),
                  "kv_cache": True, "sampling": "greedy"}
        with torch.inference_mode():
            prefill()  # fills the cache decode starts from
            prefill_stats = measure(prefill, config, label=f"prefill {precision}")
            decode_stats = measure(decode, config, label=f"decode {precision}")
        measurements.append(figure(suite="inference", metric="prefill_tokens_per_s", precision=precision,
                                   engine=engine, device=device, work=shape.batch * shape.prompt_tokens,
                                   unit="tokens/s", stats=prefill_stats, params=params))
        measurements.append(figure(suite="inference", metric="decode_tokens_per_s", precision=precision,
                                   engine=engine, device=device, work=shape.batch * shape.decode_tokens,
                                   unit="tokens/s", stats=decode_stats, params=params))
        del model, cache
    return measurements
