"""The cold-start estimate, and that the stack uses it: startup probe budget and scale-from-zero objective."""

from __future__ import annotations

import pytest

from privllm.infra.values import vllm_values
from privllm.serving.vllm import coldstart
from privllm.serving.vllm.coldstart import ENGINE_INIT_SECONDS, TORCH_COMPILE_SECONDS, estimate, startup_failure_threshold
from privllm.stack import load_stack


def test_phases_add_up_and_respond_to_each_option():
    remote = estimate(70e9, "s3", new_node=True)
    assert remote.total_s == pytest.approx(
        coldstart.NODE_PROVISION_SECONDS + coldstart.IMAGE_BYTES / coldstart.MIRROR_BYTES_PER_SECOND
        + 70e9 / 1.5e9 + 70e9 / 1.5e9 + ENGINE_INIT_SECONDS
    )
    cached = estimate(70e9, "s3", new_node=True, node_cache=True)
    assert cached.weights_load_s == pytest.approx(70e9 / coldstart.NVME_BYTES_PER_SECOND)
    assert cached.weights_load_s < remote.weights_load_s
    assert estimate(70e9, "s3", new_node=True, compile_cache=True).engine_init_s == ENGINE_INIT_SECONDS - TORCH_COMPILE_SECONDS
    warm_node = estimate(70e9, "s3", new_node=False)
    assert remote.total_s - warm_node.total_s == pytest.approx(coldstart.NODE_PROVISION_SECONDS + remote.image_pull_s)
    assert warm_node.image_pull_s == 0  # the image is already on a node of the pool
    # One verifier worker is bounded by hashing, eight by storage.
    assert estimate(16e9, "pvc", new_node=False, verify_workers=1).weights_verify_s == pytest.approx(16.0)


def test_stack_models_get_a_probe_budget_and_objective_from_their_cold_start():
    cfg = load_stack("reference")
    for model in cfg.models:
        values = vllm_values(cfg, model)
        cold = coldstart.for_model(cfg, model)
        budget = values["probes"]["startupFailureThreshold"] * 10
        assert budget >= 2 * cold.in_container_s  # weight load + compile + graphs, twice over
        assert values["metrics"]["scaleFromZeroObjectiveSeconds"] >= cold.total_s  # node + pull + verify + load + init
    assert startup_failure_threshold(estimate(1e9, "oci", new_node=False)) >= 30
