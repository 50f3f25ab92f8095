"""What fits on which GPU: weights, KV cache, concurrency and a decode ceiling, by vLLM's own accounting.

vLLM sizes its KV cache in ``Worker.determine_available_memory`` (vllm/v1/worker/gpu_worker.py):
    KV cache = CUDA total memory x gpu_memory_utilization
               - (weights + peak activation of the profiling run + non-torch allocations)
               - CUDA graph memory (profiled and subtracted by default since v0.21)
This module models each term; the assumptions behind every number are listed in ASSUMPTIONS and
printed by ``privllm size --format json``:
- CUDA total memory: the per-GPU figure in privllm/stack/hardware.py (what CUDA reports, not the datasheet).
- Weights: unquantized weights are bf16 (2 bytes); fp8 and compressed-tensors (W8A8) store linear
  layers in 1 byte; awq, gptq and bitsandbytes in 4 bits plus one fp16 scale and zero point per
  group of 128 (0.5 + 4/128 bytes). Embeddings and lm_head stay bf16 under every scheme.
- Profiling run: vLLM runs max_num_batched_tokens dummy tokens (8192 on H100/H200-class GPUs for the
  API server, 2048 elsewhere) through the model, one layer's intermediates live at a time: the gated
  MLP's gate/up output (2 x intermediate) and activation output (intermediate), plus about four hidden-size
  buffers (residual, normed input, attention output, MLP output); then a sampler run over max_num_seqs
  requests holding float32 logits three times (logits, probabilities, log-probabilities).
- Non-torch allocations: 0.15 GiB (cuBLAS/cuDNN workspaces), plus 0.5 GiB for NCCL and custom
  all-reduce buffers when tensor_parallel > 1.
- CUDA graphs: captured for batch sizes up to 512 tokens; modelled as 0.5 GiB for a Llama-3.1-8B
  layer stack (32 x 4096 on one GPU), scaled by layers x hidden per GPU, at least 0.25 GiB.
- KV cache bytes per token = 2 (K and V) x layers x KV heads x head dim x dtype bytes (2 for auto/bf16,
  1 for fp8 variants). Tensor parallelism splits weights and KV heads evenly (KV heads are replicated
  when there are fewer than the TP degree); pipeline parallelism splits layers evenly.
- Decode is memory-bound: one step reads every weight shard once, so one sequence decodes at most at
  bandwidth / weight bytes per GPU tokens/s.
Checked against vLLM's reported capacity in tests/serving/vllm/test_sizing.py (REFERENCE_CASES).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from privllm.stack.catalog import ARCHITECTURES, Architecture
from privllm.stack.hardware import GPUS, GpuSpec

GIB = 1024**3
NON_TORCH_BYTES = int(0.15 * GIB)
NON_TORCH_TP_BYTES = int(0.5 * GIB)
CUDAGRAPH_REFERENCE_BYTES = int(0.5 * GIB)  # Llama-3.1-8B on one GPU
CUDAGRAPH_REFERENCE_SHAPE = 32 * 4096  # its layers x hidden size
CUDAGRAPH_MIN_BYTES = int(0.25 * GIB)
LARGE_GPU_PROFILE_TOKENS = 8192  # vLLM's API-server max_num_batched_tokens on >= 70 GiB GPUs other than A100
SMALL_GPU_PROFILE_TOKENS = 2048
SAMPLER_LOGIT_COPIES = 3
MAX_NUM_SEQS_CEILING = 256  # the kit's batch cap (larger batches add latency); the profiling run's sampler size
ASSUMPTIONS = (
    "KV cache = CUDA total memory x gpu_memory_utilization - weights - profiling-run activation peak - non-torch - CUDA graphs "
    "(vLLM gpu_worker.determine_available_memory)",
    "CUDA total memory per GPU from privllm/stack/hardware.py (H100 79.19 GiB as vLLM reports it)",
    "weights: bf16 2 bytes; fp8/compressed-tensors 1 byte; awq/gptq/bitsandbytes 0.5 + 4/128 bytes per linear weight; embeddings bf16",
    "profiling run: max_num_batched_tokens 8192 on H100/H200-class GPUs, 2048 elsewhere; one layer's MLP (3 x intermediate) and "
    "4 hidden-size buffers live at once; sampler over max_num_seqs requests with 3 float32 copies of the logits",
    "non-torch allocations: 0.15 GiB, plus 0.5 GiB when tensor_parallel > 1 (NCCL, custom all-reduce)",
    "CUDA graphs: 0.5 GiB for 32 layers x 4096 hidden on one GPU, scaled by layers x hidden per GPU, at least 0.25 GiB",
    "KV bytes per token = 2 x layers x KV heads x head dim x dtype bytes; TP splits KV heads (replicated below TP), PP splits layers",
)
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
    cuda_total_bytes_per_gpu: int = 0
    requested_bytes_per_gpu: int = 0
    activation_peak_bytes_per_gpu: int = 0
    non_torch_bytes_per_gpu: int = 0
    cudagraph_bytes_per_gpu: int = 0
    kv_cache_tokens: int = 0  # what vLLM logs as "GPU KV cache size: N tokens"

    def as_dict(self) -> dict:
        return {**asdict(self), "assumptions": list(ASSUMPTIONS)}


def weights_bytes(arch: Architecture, quantization: str) -> int:
    linear = arch.parameters - arch.embedding_parameters
    return int(linear * _LINEAR_BYTES[quantization] + arch.embedding_parameters * 2)


def kv_bytes_per_token(arch: Architecture, kv_cache_dtype: str = "auto") -> int:
    return 2 * arch.layers * arch.kv_heads * arch.head_dim * _KV_BYTES[kv_cache_dtype]


def profile_tokens(gpu: GpuSpec) -> int:
    """vLLM's default max_num_batched_tokens for the API server on this GPU (vllm/engine/arg_utils.py)."""
    large = gpu.cuda_total_gib >= 70 and not gpu.name.startswith("a100")
    return LARGE_GPU_PROFILE_TOKENS if large else SMALL_GPU_PROFILE_TOKENS


def _intermediate(arch: Architecture) -> int:
    if arch.intermediate_size:
        return arch.intermediate_size * arch.active_experts
    attn = arch.hidden_size * arch.attention_heads * arch.head_dim * 2 + arch.hidden_size * arch.kv_heads * arch.head_dim * 2
    mlp = (arch.parameters - arch.embedding_parameters) / arch.layers - attn
    return max(arch.hidden_size, int(mlp / (3 * arch.hidden_size)))


def activation_peak_bytes(arch: Architecture, gpu: GpuSpec, tensor_parallel: int, max_num_seqs: int) -> int:
    tokens = profile_tokens(gpu)
    layer = tokens * (3 * _intermediate(arch) // tensor_parallel + 4 * arch.hidden_size) * 2
    sampler = min(max_num_seqs, tokens) * arch.vocab_size * 4 * SAMPLER_LOGIT_COPIES + tokens * arch.hidden_size * 2
    return max(layer, sampler)


def cudagraph_bytes(arch: Architecture, tensor_parallel: int, pipeline_parallel: int) -> int:
    shape = -(-arch.layers // pipeline_parallel) * arch.hidden_size / tensor_parallel
    return max(CUDAGRAPH_MIN_BYTES, int(CUDAGRAPH_REFERENCE_BYTES * shape / CUDAGRAPH_REFERENCE_SHAPE))


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
    max_num_seqs: int = MAX_NUM_SEQS_CEILING,
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
    cuda_total = int(gpu.cuda_total_gib * GIB)
    requested = int(cuda_total * gpu_memory_utilization)
    activation = activation_peak_bytes(arch, gpu, tensor_parallel, max_num_seqs)
    non_torch = NON_TORCH_BYTES + (NON_TORCH_TP_BYTES if tensor_parallel > 1 else 0)
    graphs = cudagraph_bytes(arch, tensor_parallel, pipeline_parallel)
    kv_available = requested - per_gpu_weights - activation - non_torch - graphs
    tokens = kv_available // kv_token_gpu if kv_available > 0 else 0
    concurrent = tokens // max_model_len
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
        cuda_total_bytes_per_gpu=cuda_total,
        requested_bytes_per_gpu=requested,
        activation_peak_bytes_per_gpu=activation,
        non_torch_bytes_per_gpu=non_torch,
        cudagraph_bytes_per_gpu=graphs,
        kv_cache_tokens=int(tokens),
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
        max_num_seqs=model.max_num_seqs or MAX_NUM_SEQS_CEILING,
    )


AVERAGE_FILL = 0.25  # assume a sequence uses a quarter of max_model_len on average


def max_num_seqs_for(sizing: Sizing, ceiling: int = MAX_NUM_SEQS_CEILING) -> int:
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
            f"{model.gpu_memory_utilization} leaves {gib(s.requested_bytes_per_gpu - s.activation_peak_bytes_per_gpu - s.non_torch_bytes_per_gpu - s.cudagraph_bytes_per_gpu)} "
            "after the profiling run, non-torch allocations and CUDA graphs",
        )
    return s
