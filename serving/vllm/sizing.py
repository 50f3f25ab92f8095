"""What fits on which GPU: weights, KV cache, concurrency and a decode ceiling.

Assumptions (stated so a reader can disagree with a number, not a guess):
- Unquantized weights are bf16 (2 bytes). fp8 and compressed-tensors (W8A8)
  store linear layers in 1 byte; awq, gptq and bitsandbytes store them in
  4 bits plus one fp16 scale and zero point per group of 128 (0.5 + 4/128
  bytes). Embeddings and lm_head stay bf16 under every scheme.
- KV cache bytes per token = 2 (K and V) x layers x KV heads x head dim x
  dtype bytes (2 for auto/bf16, 1 for fp8 variants).
- Tensor parallelism splits weights and KV heads evenly (KV heads are
  replicated when there are fewer than the TP degree); pipeline parallelism
  splits layers evenly.
- Each GPU loses a fixed runtime overhead to the CUDA context, activations
  and CUDA graphs: 2 GiB (vLLM's profiler usually measures 1-3 GiB).
- Decode is memory-bound: one step reads every weight shard once, so one
  sequence decodes at most at bandwidth / weight bytes per GPU tokens/s.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from privllm.stack.catalog import ARCHITECTURES, Architecture
from privllm.stack.hardware import GPUS, GpuSpec

GIB = 1024**3
RUNTIME_OVERHEAD_BYTES = 2 * GIB
_LINEAR_BYTES = {
    "none": 2.0,
    "fp8": 1.0,
    "compressed-tensors": 1.0,
    "awq": 0.5 + 4 / 128,
    "gptq": 0.5 + 4 / 128,
    "bitsandbytes": 0.5 + 4 / 128,
}
_KV_BYTES = {"auto": 2, "fp8": 1, "fp8_e4m3": 1, "fp8_e5m2": 1}


class SizingError(ValueError):
    """An impossible request; ``field`` names the input that makes it so."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Sizing:
    model: str
    gpu: str
    quantization: str
    kv_cache_dtype: str
    max_model_len: int
    gpu_memory_utilization: float
    tensor_parallel: int
    pipeline_parallel: int
    weights_bytes: int
    weights_bytes_per_gpu: int
    kv_cache_bytes_per_token: int
    kv_cache_bytes_per_token_per_gpu: int
    kv_cache_bytes_available_per_gpu: int
    max_concurrent_sequences: int
    decode_tokens_per_second_ceiling: float

    def as_dict(self) -> dict:
        return asdict(self)


def weights_bytes(arch: Architecture, quantization: str) -> int:
    linear = arch.parameters - arch.embedding_parameters
    return int(linear * _LINEAR_BYTES[quantization] + arch.embedding_parameters * 2)


def kv_bytes_per_token(arch: Architecture, kv_cache_dtype: str = "auto") -> int:
    return 2 * arch.layers * arch.kv_heads * arch.head_dim * _KV_BYTES[kv_cache_dtype]


def size(
    arch: Architecture,
    gpu: GpuSpec,
    *,
    quantization: str = "none",
    kv_cache_dtype: str = "auto",
    max_model_len: int = 8192,
    tensor_parallel: int,
    pipeline_parallel: int = 1,
    gpu_memory_utilization: float = 0.9,
) -> Sizing:
    """Sizing for one fixed parallel layout; raises SizingError when it cannot work."""
    if quantization not in _LINEAR_BYTES:
        raise SizingError("quantization", f"{quantization!r} is not one of {sorted(_LINEAR_BYTES)}")
    if kv_cache_dtype not in _KV_BYTES:
        raise SizingError("kv_cache_dtype", f"{kv_cache_dtype!r} is not one of {sorted(_KV_BYTES)}")
    if max_model_len < 1:
        raise SizingError("max_model_len", f"{max_model_len} must be a positive number of tokens")
    if arch.attention_heads % tensor_parallel:
        raise SizingError(
            "tensor_parallel",
            f"{tensor_parallel} does not divide the {arch.attention_heads} attention heads of {arch.name}",
        )
    if arch.layers < pipeline_parallel:
        raise SizingError("pipeline_parallel", f"{pipeline_parallel} stages for {arch.layers} layers")
    shards = tensor_parallel * pipeline_parallel
    total_weights = weights_bytes(arch, quantization)
    per_gpu_weights = -(-total_weights // shards)
    kv_token = kv_bytes_per_token(arch, kv_cache_dtype)
    kv_heads_per_gpu = max(1, arch.kv_heads // tensor_parallel)
    layers_per_gpu = -(-arch.layers // pipeline_parallel)
    kv_token_gpu = 2 * layers_per_gpu * kv_heads_per_gpu * arch.head_dim * _KV_BYTES[kv_cache_dtype]
    budget = int(gpu.memory_gb * 1e9 * gpu_memory_utilization)
    kv_available = budget - per_gpu_weights - RUNTIME_OVERHEAD_BYTES
    concurrent = kv_available // (kv_token_gpu * max_model_len) if kv_available > 0 else 0
    return Sizing(
        model=arch.name,
        gpu=gpu.name,
        quantization=quantization,
        kv_cache_dtype=kv_cache_dtype,
        max_model_len=max_model_len,
        gpu_memory_utilization=gpu_memory_utilization,
        tensor_parallel=tensor_parallel,
        pipeline_parallel=pipeline_parallel,
        weights_bytes=total_weights,
        weights_bytes_per_gpu=per_gpu_weights,
        kv_cache_bytes_per_token=kv_token,
        kv_cache_bytes_per_token_per_gpu=kv_token_gpu,
        kv_cache_bytes_available_per_gpu=max(kv_available, 0),
        max_concurrent_sequences=int(concurrent),
        decode_tokens_per_second_ceiling=round(gpu.bandwidth_gbps * 1e9 / per_gpu_weights, 1),
    )


def smallest_fit(
    arch: Architecture,
    gpu: GpuSpec,
    *,
    target_concurrency: int = 1,
    max_gpus: int = 64,
    **kwargs,
) -> Sizing:
    """The smallest valid tensor-parallel degree at which ``target_concurrency`` full-length sequences fit."""
    tried = []
    for tp in range(1, max_gpus + 1):
        if arch.attention_heads % tp:
            continue
        s = size(arch, gpu, tensor_parallel=tp, **kwargs)
        tried.append(f"tp={tp}: {s.max_concurrent_sequences} sequences")
        if s.max_concurrent_sequences >= target_concurrency:
            return s
    raise SizingError(
        "max_model_len",
        f"{arch.name} on {gpu.name} holds fewer than {target_concurrency} sequences of "
        f"{kwargs.get('max_model_len', 8192)} tokens at any tensor-parallel degree up to {max_gpus} ({'; '.join(tried[-3:])})",
    )


def for_model(model, pool) -> Sizing:
    """Sizing of a StackConfig model on its pool's GPU."""
    return size(
        ARCHITECTURES[model.architecture],
        GPUS[pool.gpu],
        quantization=model.quantization,
        kv_cache_dtype=model.kv_cache_dtype,
        max_model_len=model.max_model_len,
        tensor_parallel=model.tensor_parallel,
        pipeline_parallel=model.pipeline_parallel,
        gpu_memory_utilization=model.gpu_memory_utilization,
    )


AVERAGE_FILL = 0.25  # assume a sequence uses a quarter of max_model_len on average


def max_num_seqs_for(sizing: Sizing, ceiling: int = 256) -> int:
    """vLLM's batch size: what the KV cache holds at an average fill, capped (larger batches add latency)."""
    return max(1, min(ceiling, int(sizing.max_concurrent_sequences / AVERAGE_FILL)))


def check_fits(model, pool) -> Sizing:
    """Refuse a model that cannot start on its pool, with the numbers that say why."""
    s = for_model(model, pool)
    if s.max_concurrent_sequences < 1:
        gib = lambda b: f"{b / GIB:.1f} GiB"  # noqa: E731
        raise SizingError(
            "tensor_parallel",
            f"{model.architecture} ({model.quantization}) needs {gib(s.weights_bytes_per_gpu)} of weights per GPU at "
            f"tensor_parallel={model.tensor_parallel}, plus {gib(s.kv_cache_bytes_per_token_per_gpu * model.max_model_len)} "
            f"of KV cache for one {model.max_model_len}-token sequence, but {pool.gpu} x "
            f"{model.gpu_memory_utilization} leaves {gib(GPUS[pool.gpu].memory_gb * 1e9 * model.gpu_memory_utilization - RUNTIME_OVERHEAD_BYTES)}",
        )
    return s
