"""How long a new vLLM replica takes to serve, from the scale-up decision: the autoscaler's enemy.

Phases, each with where its number comes from:
- node provisioning: only when no node of the pool is free (a scale-from-zero or a pool at its
  current size). ASSUMPTION, not measured here: 300 s for a GPU instance to boot, load the
  NVIDIA driver, start the device plugin and join (EKS p5/g6e class; override per site).
- image pull: the vLLM image from the in-perimeter mirror, on a new node only. ASSUMPTION: 10 GB at 250 MB/s.
- weights verify: the init container reads every byte once; hashing runs at the slower of the
  storage and (hash rate x workers); 1 GB/s per core is OpenSSL SHA-256 on one core
  (bench/weights_hashing.py measures it here, side by side with coreutils).
- weights load: vLLM reads the weights again, from remote storage or, with the node-local
  cache, from NVMe (the verify pass already copied them there).
- engine init: profiling run, torch.compile, CUDA graph capture, KV-cache allocation.
  MEASURED (issue 20): 80-90 s on an H100 with no weight I/O at all, torch.compile about 28 s;
  a compile cache hit (VLLM_CACHE_ROOT on a shared volume) skips most of the compile.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

GB = 1e9
NODE_PROVISION_SECONDS = 300.0
IMAGE_BYTES = 10 * GB
MIRROR_BYTES_PER_SECOND = 250e6
HASH_BYTES_PER_SECOND_PER_WORKER = 1.0 * GB
ENGINE_INIT_SECONDS = 85.0  # measured: 80-90 s (issue 20)
TORCH_COMPILE_SECONDS = 28.0  # measured part of the above
NVME_BYTES_PER_SECOND = 2.0 * GB
# Sustained sequential read of each weights source per node (ASSUMPTIONS, conservative).
STORAGE_BYTES_PER_SECOND = {"s3": 1.5 * GB, "pvc": 1.0 * GB, "oci": 2.0 * GB}
STARTUP_PROBE_MARGIN = 2.0  # the probe budget is twice the expected in-container start


@dataclass(frozen=True)
class ColdStart:
    node_provisioning_s: float
    image_pull_s: float
    weights_verify_s: float
    weights_load_s: float
    engine_init_s: float

    @property
    def total_s(self) -> float:
        return self.node_provisioning_s + self.image_pull_s + self.weights_verify_s + self.weights_load_s + self.engine_init_s

    @property
    def in_container_s(self) -> float:
        """From the server container's start to ready: what the startup probe must allow."""
        return self.weights_load_s + self.engine_init_s

    def as_dict(self) -> dict:
        return {**asdict(self), "total_s": round(self.total_s, 1)}


def estimate(
    weights_bytes_per_node: float,
    source: str,
    *,
    new_node: bool,
    node_cache: bool = False,
    compile_cache: bool = False,
    verify_workers: int = 8,
) -> ColdStart:
    storage = STORAGE_BYTES_PER_SECOND[source]
    verify = weights_bytes_per_node / min(storage, HASH_BYTES_PER_SECOND_PER_WORKER * verify_workers)
    load = weights_bytes_per_node / (NVME_BYTES_PER_SECOND if node_cache else storage)
    engine = ENGINE_INIT_SECONDS - (TORCH_COMPILE_SECONDS if compile_cache else 0.0)
    # A node already in the pool has pulled the image for an earlier replica; a new one pulls it first.
    pull = IMAGE_BYTES / MIRROR_BYTES_PER_SECOND if new_node else 0.0
    return ColdStart(NODE_PROVISION_SECONDS if new_node else 0.0, pull, verify, load, engine)


def startup_failure_threshold(cold: ColdStart, period_seconds: int = 10) -> int:
    return max(30, math.ceil(cold.in_container_s * STARTUP_PROBE_MARGIN / period_seconds))


def for_model(cfg, model) -> ColdStart:
    """Cold start of one more replica of a stack model on a fresh node (the scale-from-zero case)."""
    from privllm.stack.sizing import for_model as sizing_for

    pool = cfg.pool(model.pool)
    sizing = sizing_for(model, pool)
    nodes = max(1, model.gpus // pool.gpus_per_node)
    per_node = sizing.weights_bytes / nodes
    source = model.weights.uri.split("://", 1)[0]
    return estimate(
        per_node, source, new_node=True, node_cache=model.weights.node_cache, compile_cache=model.compile_cache_claim is not None
    )
