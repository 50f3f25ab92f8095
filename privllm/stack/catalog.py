"""Model architectures the kit can size, and reading the same from a config.json.

Numbers are the published Hugging Face ``config.json`` values of each model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Architecture:
    name: str
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    vocab_size: int
    parameters: int
    tied_embeddings: bool = False
    intermediate_size: int = 0  # MLP width (per expert); sets the profiling run's activation peak
    active_experts: int = 1  # experts each token runs through (MoE top-k)

    @property
    def embedding_parameters(self) -> int:
        """Parameters that weight-only quantization leaves in 16-bit (embeddings, lm_head)."""
        return self.vocab_size * self.hidden_size * (1 if self.tied_embeddings else 2)


def _a(name, layers, hidden, heads, kv, head_dim, vocab, params, tied=False, inter=0, top_k=1) -> Architecture:
    return Architecture(name, layers, hidden, heads, kv, head_dim, vocab, int(params), tied, inter, top_k)


ARCHITECTURES: dict[str, Architecture] = {
    a.name: a
    for a in (
        _a("llama-3.2-1b", 16, 2048, 32, 8, 64, 128256, 1.24e9, tied=True, inter=8192),
        _a("llama-3.2-3b", 28, 3072, 24, 8, 128, 128256, 3.21e9, tied=True, inter=8192),
        _a("llama-3.1-8b", 32, 4096, 32, 8, 128, 128256, 8.03e9, inter=14336),
        _a("llama-3.1-70b", 80, 8192, 64, 8, 128, 128256, 70.6e9, inter=28672),
        _a("llama-3.3-70b", 80, 8192, 64, 8, 128, 128256, 70.6e9, inter=28672),
        _a("llama-3.1-405b", 126, 16384, 128, 8, 128, 128256, 405.9e9, inter=53248),
        _a("mistral-7b", 32, 4096, 32, 8, 128, 32768, 7.25e9, inter=14336),
        _a("mixtral-8x7b", 32, 4096, 32, 8, 128, 32000, 46.7e9, inter=14336, top_k=2),
        _a("mixtral-8x22b", 56, 6144, 48, 8, 128, 32768, 140.6e9, inter=16384, top_k=2),
        _a("qwen2.5-0.5b", 24, 896, 14, 2, 64, 151936, 0.49e9, tied=True, inter=4864),
        _a("qwen2.5-7b", 28, 3584, 28, 4, 128, 152064, 7.62e9, inter=18944),
        _a("qwen2.5-32b", 64, 5120, 40, 8, 128, 152064, 32.8e9, inter=27648),
        _a("qwen2.5-72b", 80, 8192, 64, 8, 128, 152064, 72.7e9, inter=29568),
        _a("deepseek-r1-distill-qwen-32b", 64, 5120, 40, 8, 128, 152064, 32.8e9, inter=27648),
        _a("deepseek-r1-distill-llama-70b", 80, 8192, 64, 8, 128, 128256, 70.6e9, inter=28672),
        _a("gemma-2-9b", 42, 3584, 16, 8, 256, 256000, 9.24e9, tied=True, inter=14336),
        _a("gemma-2-27b", 46, 4608, 32, 16, 128, 256000, 27.2e9, tied=True, inter=36864),
    )
}


class ConfigJsonError(ValueError):
    pass


def from_config_json(path: Path, name: str | None = None) -> Architecture:
    """Architecture of a model directory (or its config.json), as vLLM would read it.

    The parameter count is not in config.json; it is estimated from the dense
    transformer shapes (attention, gated MLP, embeddings).
    """
    path = path / "config.json" if path.is_dir() else path
    try:
        cfg = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigJsonError(f"{path}: cannot read a model config ({exc})") from None
    try:
        layers = int(cfg["num_hidden_layers"])
        hidden = int(cfg["hidden_size"])
        heads = int(cfg["num_attention_heads"])
        kv = int(cfg.get("num_key_value_heads", heads))
        head_dim = int(cfg.get("head_dim") or hidden // heads)
        vocab = int(cfg["vocab_size"])
        inter = int(cfg.get("intermediate_size", 4 * hidden))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigJsonError(f"{path}: missing or invalid field {exc}") from None
    experts = int(cfg.get("num_local_experts", 1))
    tied = bool(cfg.get("tie_word_embeddings", False))
    attn = hidden * heads * head_dim * 2 + hidden * kv * head_dim * 2
    mlp = 3 * hidden * inter * experts
    params = layers * (attn + mlp) + vocab * hidden * (1 if tied else 2)
    top_k = int(cfg.get("num_experts_per_tok", 1))
    return Architecture(name or path.parent.name, layers, hidden, heads, kv, head_dim, vocab, params, tied, inter, top_k)
