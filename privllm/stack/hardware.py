"""GPU and instance-type facts: the one place the kit knows what hardware can do.

Figures are the vendors' published datasheet numbers (memory in GB as sold,
HBM/GDDR bandwidth in GB/s, dense BF16 TFLOP/s without sparsity).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GpuSpec:
    name: str
    memory_gb: int
    bandwidth_gbps: int
    bf16_tflops: int
    fp8: bool  # native FP8 tensor cores (Ada, Hopper)
    compute_capability: tuple[int, int] = (8, 0)  # CUDA SM version: which of vLLM's kernels can run
    # Memory CUDA reports as total (torch.cuda.mem_get_info), what vLLM multiplies by gpu_memory_utilization:
    # less than the datasheet figure (driver and ECC reservations). H100 and A100 as vLLM's logs print them
    # ("total_gpu_memory"); H200, L40S and L4 are nvidia-smi's totals less ~0.45 GiB (approximations until measured).
    cuda_total_gib: float = 0.0


GPUS: dict[str, GpuSpec] = {
    spec.name: spec
    for spec in (
        GpuSpec("h100-80gb", 80, 3350, 989, True, (9, 0), 79.19),
        GpuSpec("h200-141gb", 141, 4800, 989, True, (9, 0), 139.96),
        GpuSpec("a100-80gb", 80, 2039, 312, False, (8, 0), 79.15),
        GpuSpec("a100-40gb", 40, 1555, 312, False, (8, 0), 39.39),
        GpuSpec("l40s-48gb", 48, 864, 362, True, (8, 9), 44.53),
        GpuSpec("l4-24gb", 24, 300, 121, True, (8, 9), 22.05),
    )
}


@dataclass(frozen=True)
class InstanceType:
    name: str
    gpu: str
    gpus: int


# AWS instance types with NVIDIA GPUs that the eks target knows how to size.
INSTANCE_TYPES: dict[str, InstanceType] = {
    it.name: it
    for it in (
        InstanceType("p5.48xlarge", "h100-80gb", 8),
        InstanceType("p5e.48xlarge", "h200-141gb", 8),
        InstanceType("p5en.48xlarge", "h200-141gb", 8),
        InstanceType("p4de.24xlarge", "a100-80gb", 8),
        InstanceType("p4d.24xlarge", "a100-40gb", 8),
        InstanceType("g6e.xlarge", "l40s-48gb", 1),
        InstanceType("g6e.12xlarge", "l40s-48gb", 4),
        InstanceType("g6e.48xlarge", "l40s-48gb", 8),
        InstanceType("g6.xlarge", "l4-24gb", 1),
        InstanceType("g6.12xlarge", "l4-24gb", 4),
        InstanceType("g6.48xlarge", "l4-24gb", 8),
    )
}
