"""Quantization kernels per GPU generation: the fast kernel named, the impossible refused."""

from __future__ import annotations

from dataclasses import replace

import pytest

from privllm.serving.vllm.cli_table import load as cli_table
from privllm.stack import load_stack
from privllm.stack.hardware import GPUS
from privllm.stack.kernels import KernelError, kernel_for, kernel_lines


@pytest.mark.parametrize(("quantization", "gpu", "method"), [
    ("awq", "a100-80gb", "awq_marlin"), ("gptq", "a100-40gb", "gptq_marlin"), ("awq", "l40s-48gb", "awq_marlin"),
    ("gptq", "h100-80gb", "gptq_marlin"), ("fp8", "l4-24gb", "fp8"), ("fp8", "h200-141gb", "fp8"),
    ("none", "a100-80gb", None), ("compressed-tensors", "h100-80gb", "compressed-tensors"),
])
def test_fast_kernel_per_generation(quantization, gpu, method):
    kernel = kernel_for(quantization, GPUS[gpu])
    assert kernel.vllm_method == method
    if method:
        assert method in cli_table().quantization_methods  # a name the pinned release accepts


def test_refusals_name_what_would_work():
    with pytest.raises(KernelError) as exc:
        kernel_for("fp8", GPUS["a100-80gb"])
    assert "8.9" in str(exc.value) and "AWQ/GPTQ" in str(exc.value)
    turing = replace(GPUS["l4-24gb"], name="t4-16gb", compute_capability=(7, 5))
    assert kernel_for("awq", turing).vllm_method == "awq"  # Marlin needs 8.0: the plain kernel is what runs
    volta = replace(GPUS["l4-24gb"], name="v100-32gb", compute_capability=(7, 0))
    with pytest.raises(KernelError, match="7.5"):
        kernel_for("gptq", volta)


def test_plan_lines_state_the_kernel_of_every_model():
    lines = kernel_lines(load_stack("reference"))
    assert any(line.startswith("qwen-7b: awq_marlin on l40s-48gb (sm 8.9)") for line in lines)
    assert any(line.startswith("llama-70b: fp8 on h100-80gb") for line in lines)
    assert kernel_lines(load_stack("local")) == ["qwen-tiny: CPU stand-in (no kernel)"]
