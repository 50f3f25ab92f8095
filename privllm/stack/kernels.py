"""Which vLLM quantization kernel a model runs on a GPU generation, or why it cannot run there.

The stack names the checkpoint's format (awq, gptq, fp8, ...); vLLM is told the kernel. Naming
``--quantization awq`` or ``gptq`` forces vLLM's slow kernels; the Marlin kernels
(``awq_marlin``, ``gptq_marlin``) are the fast ones from Ampere (compute capability 8.0) on.
FP8 is served only where the GPU has FP8 tensor cores (8.9: Ada, Hopper); on Ampere vLLM
would fall back to weight-only FP8 through Marlin, with the memory saving but not the speed,
so the kit refuses it and says what would work instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from privllm.stack.hardware import GpuSpec

AMPERE = (8, 0)
ADA = (8, 9)
TURING = (7, 5)
VOLTA = (7, 0)


class KernelError(ValueError):
    pass


@dataclass(frozen=True)
class Kernel:
    quantization: str  # the stack's checkpoint format
    vllm_method: str | None  # the --quantization value, None for unquantized weights
    reason: str

    def summary(self, gpu: GpuSpec) -> str:
        method = self.vllm_method or "bf16 (no --quantization)"
        return f"{method} on {gpu.name} (sm {gpu.compute_capability[0]}.{gpu.compute_capability[1]}): {self.reason}"


def _cc(gpu: GpuSpec) -> str:
    return f"{gpu.compute_capability[0]}.{gpu.compute_capability[1]}"


def kernel_for(quantization: str, gpu: GpuSpec) -> Kernel:
    """The kernel vLLM should run; raises KernelError when the GPU cannot run the format."""
    cc = gpu.compute_capability
    if quantization == "none":
        return Kernel("none", None, "weights as stored")
    if quantization in ("awq", "gptq"):
        if cc >= AMPERE:
            return Kernel(quantization, f"{quantization}_marlin", f"Marlin kernel for {quantization.upper()} (sm 8.0+), much faster than --quantization {quantization}")
        if cc >= TURING:
            return Kernel(quantization, quantization, "Marlin needs sm 8.0; the plain kernel is the one this GPU runs")
        raise KernelError(f"{quantization} needs compute capability 7.5 or newer; {gpu.name} is {_cc(gpu)}")
    if quantization == "fp8":
        if cc >= ADA:
            return Kernel("fp8", "fp8", "native FP8 tensor cores (sm 8.9+)")
        raise KernelError(
            f"fp8 needs FP8 tensor cores (compute capability 8.9+: L4, L40S, H100, H200); {gpu.name} is {_cc(gpu)}, where vLLM "
            "would only run weight-only FP8 without the speed-up: serve the bf16 weights, or an AWQ/GPTQ checkpoint (Marlin)"
        )
    if quantization in ("compressed-tensors", "bitsandbytes"):
        if cc >= VOLTA:
            return Kernel(quantization, quantization, "vLLM picks the scheme's kernel from the checkpoint")
        raise KernelError(f"{quantization} needs compute capability 7.0 or newer; {gpu.name} is {_cc(gpu)}")
    raise KernelError(f"{quantization!r} is not a quantization format the kit knows (none, awq, gptq, fp8, compressed-tensors, bitsandbytes)")


def kernel_lines(cfg) -> list[str]:
    """One line per GPU-served model for the plan summary: the kernel and why."""
    from privllm.stack.hardware import GPUS

    lines = []
    for m in cfg.models:
        if m.pool is None:
            lines.append(f"{m.name}: CPU stand-in (no kernel)")
            continue
        gpu = GPUS[cfg.pool(m.pool).gpu]
        lines.append(f"{m.name}: {kernel_for(m.quantization, gpu).summary(gpu)}")
    return lines
