"""Sizing arithmetic against hand-computed cases, and refusals of impossible inputs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from privllm.stack import load_stack
from privllm.stack.catalog import ARCHITECTURES, from_config_json
from privllm.stack.hardware import GPUS
from privllm.stack.sizing import GIB, SizingError, kv_bytes_per_token, max_num_seqs_for, size, smallest_fit, weights_bytes

L70 = ARCHITECTURES["llama-3.1-70b"]
H100 = GPUS["h100-80gb"]


def test_kv_bytes_per_token_hand_computed():
    # 2 (K,V) x 80 layers x 8 KV heads x 128 head dim x 2 bytes (bf16)
    assert kv_bytes_per_token(L70) == 2 * 80 * 8 * 128 * 2 == 327_680
    # Llama 3.1 8B: 2 x 32 x 8 x 128 x 2
    assert kv_bytes_per_token(ARCHITECTURES["llama-3.1-8b"]) == 131_072
    # fp8 KV cache halves it
    assert kv_bytes_per_token(L70, "fp8") == 163_840


def test_weights_bytes_by_quantization():
    embeddings = 2 * 128_256 * 8_192  # input embeddings and lm_head, untied, stay bf16
    assert weights_bytes(L70, "none") == int(70.6e9 * 2)
    assert weights_bytes(L70, "fp8") == int((70.6e9 - embeddings) * 1 + embeddings * 2)
    four_bit = weights_bytes(L70, "awq")
    assert four_bit == int((70.6e9 - embeddings) * (0.5 + 4 / 128) + embeddings * 2)
    assert four_bit < weights_bytes(L70, "fp8") < weights_bytes(L70, "none")


def test_smallest_tensor_parallel_for_70b_bf16_on_h100():
    # TP=1: 141 GB of weights cannot fit; TP=2: 70.6 GB per GPU leaves a few GiB of KV cache, one 8K sequence.
    assert size(L70, H100, tensor_parallel=1).max_concurrent_sequences == 0
    fit = smallest_fit(L70, H100, max_model_len=8192)
    assert fit.tensor_parallel == 2
    # Hand-computed from the accounting terms (privllm/stack/sizing.py ASSUMPTIONS):
    requested = int(int(79.19 * GIB) * 0.9)
    activation = 8192 * (3 * 28672 // 2 + 4 * 8192) * 2  # the profiling run's MLP intermediates, TP-split
    non_torch = int(0.15 * GIB) + int(0.5 * GIB)  # + NCCL / custom all-reduce at TP=2
    graphs = int(0.5 * GIB * (80 * 8192 / 2) / (32 * 4096))
    kv = requested - fit.weights_bytes_per_gpu - activation - non_torch - graphs
    assert fit.activation_peak_bytes_per_gpu == activation and fit.cudagraph_bytes_per_gpu == graphs
    assert fit.kv_cache_tokens == kv // (327_680 // 2)
    assert fit.max_concurrent_sequences == fit.kv_cache_tokens // 8192 >= 1
    assert smallest_fit(L70, H100, max_model_len=8192, target_concurrency=8).tensor_parallel == 4


# vLLM's own reported KV capacity ("GPU KV cache size: N tokens") for cases it has been measured on.
# Llama-3.1-8B (bf16) on one H100 80GB at gpu-memory-utilization 0.90, vLLM's defaults (max_num_seqs 1024):
# source: issue 20 of this project, which measured the kit's earlier estimate (410,394 tokens: 80e9 x 0.9 -
# weights - a flat 2 GiB) as about 8% below what vLLM reported, i.e. about 446,000 tokens. The lent-GPU
# measurement in bench/ (issue 20, last bullet) replaces this figure when a session has a GPU.
REFERENCE_CASES = [
    # (architecture, gpu, utilisation, max_num_seqs, vLLM's reported KV capacity in tokens)
    ("llama-3.1-8b", "h100-80gb", 0.90, 1024, 446_000),
]


@pytest.mark.parametrize(("arch", "gpu", "util", "seqs", "reported"), REFERENCE_CASES)
def test_kv_capacity_within_six_percent_of_what_vllm_reports(arch, gpu, util, seqs, reported):
    s = size(ARCHITECTURES[arch], GPUS[gpu], tensor_parallel=1, gpu_memory_utilization=util, max_num_seqs=seqs)
    assert abs(s.kv_cache_tokens - reported) / reported <= 0.06, (s.kv_cache_tokens, reported)
    # The old flat-margin model (datasheet GB, 2 GiB overhead) missed it by more than the 6% allowed.
    old = (80e9 * util - s.weights_bytes_per_gpu - 2 * GIB) // s.kv_cache_bytes_per_token_per_gpu
    assert abs(old - reported) / reported > 0.06


def test_every_accounting_term_moves_the_kv_capacity():
    base = size(ARCHITECTURES["llama-3.1-8b"], H100, tensor_parallel=1)
    assert size(ARCHITECTURES["llama-3.1-8b"], H100, tensor_parallel=1, gpu_memory_utilization=0.8).kv_cache_tokens < base.kv_cache_tokens
    assert size(ARCHITECTURES["llama-3.1-8b"], H100, tensor_parallel=1, max_num_seqs=1024).kv_cache_tokens < base.kv_cache_tokens
    assert size(ARCHITECTURES["llama-3.1-8b"], H100, tensor_parallel=1, kv_cache_dtype="fp8").kv_cache_tokens > 1.9 * base.kv_cache_tokens
    a100 = size(ARCHITECTURES["llama-3.1-8b"], GPUS["a100-80gb"], tensor_parallel=1)
    assert a100.activation_peak_bytes_per_gpu < base.activation_peak_bytes_per_gpu  # 2048-token profiling run on A100
    total = (base.weights_bytes_per_gpu + base.activation_peak_bytes_per_gpu + base.non_torch_bytes_per_gpu
             + base.cudagraph_bytes_per_gpu + base.kv_cache_bytes_available_per_gpu)
    assert total == base.requested_bytes_per_gpu


def test_tensor_parallel_must_divide_attention_heads():
    with pytest.raises(SizingError) as exc:
        size(ARCHITECTURES["qwen2.5-7b"], H100, tensor_parallel=8)  # 28 heads
    assert exc.value.field == "tensor_parallel" and "28 attention heads" in str(exc.value)
    assert smallest_fit(ARCHITECTURES["qwen2.5-7b"], GPUS["l4-24gb"], max_model_len=32768, target_concurrency=4).tensor_parallel in (1, 2, 4, 7)


def test_decode_ceiling_is_bandwidth_over_weights():
    s = size(ARCHITECTURES["llama-3.1-8b"], H100, tensor_parallel=1)
    assert s.decode_tokens_per_second_ceiling == pytest.approx(3350e9 / s.weights_bytes_per_gpu, rel=1e-3)


def test_impossible_inputs_are_refused():
    with pytest.raises(SizingError, match="fewer than 1 sequences"):
        smallest_fit(ARCHITECTURES["llama-3.1-405b"], GPUS["l4-24gb"], max_model_len=131072, max_gpus=8)
    with pytest.raises(SizingError) as exc:
        size(L70, H100, tensor_parallel=4, quantization="int3")
    assert exc.value.field == "quantization"
    with pytest.raises(SizingError):
        size(L70, H100, tensor_parallel=4, max_model_len=0)


def test_config_json_reading(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({
        "num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 8,
        "vocab_size": 128256, "intermediate_size": 14336,
    }))
    arch = from_config_json(tmp_path, "local-8b")
    assert kv_bytes_per_token(arch) == 131_072
    assert abs(arch.parameters - 8.03e9) / 8.03e9 < 0.01  # the shapes give Llama 3.1 8B's published count


def test_stack_values_use_sizing():
    from privllm.infra.values import vllm_values

    cfg = load_stack("reference")
    qwen = cfg.model("qwen-7b")
    assert qwen.max_num_seqs is None
    derived = vllm_values(cfg, qwen)["model"]["maxNumSeqs"]
    from privllm.stack.sizing import for_model

    assert derived == max_num_seqs_for(for_model(qwen, cfg.pool("l40s")))
    assert vllm_values(cfg, cfg.model("llama-70b"))["model"]["maxNumSeqs"] == 128  # set in the stack


def cli(*args):
    return subprocess.run([sys.executable, "-m", "privllm.cli", "size", *args], capture_output=True, text=True, timeout=60)


def test_cli_json_keys():
    r = cli("--model", "llama-3.1-70b", "--gpu", "h100-80gb", "--max-model-len", "8192", "--format", "json")
    data = json.loads(r.stdout)
    assert {"weights_bytes", "kv_cache_bytes_per_token", "tensor_parallel", "max_concurrent_sequences", "kv_cache_tokens"} <= set(data)
    assert data["kv_cache_bytes_per_token"] == 327_680 and data["tensor_parallel"] == 2
    assert any("determine_available_memory" in a for a in data["assumptions"])
    assert {"activation_peak_bytes_per_gpu", "cudagraph_bytes_per_gpu", "non_torch_bytes_per_gpu", "cuda_total_bytes_per_gpu"} <= set(data)


@pytest.mark.parametrize("model", sorted(ARCHITECTURES))
def test_cli_answers_for_the_catalogue(model):
    r = cli("--model", model, "--gpu", "h200-141gb", "--max-model-len", "4096", "--format", "json")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "gpt-9"], "not in the catalogue"),
    (["--model", "llama-3.1-8b", "--gpu", "h100-40gb"], "--gpu 'h100-40gb' is unknown"),
    (["--model", "llama-3.1-405b", "--gpu", "l4-24gb", "--max-model-len", "131072"], "--max-model-len"),
])
def test_cli_refuses_with_a_clear_message(args, message):
    r = cli(*args)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
