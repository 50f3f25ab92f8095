"""Every validation rule of StackConfig, each with a failing example.

The passing example for every rule is the reference stack itself (checked
first), plus the explicit passing variants at the end.
"""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from privllm.stack import StackConfig, StackError, load_stack
from privllm.stack.load import problems_from
from tests.conftest import SHIPPED_STACKS


def _problems(values: dict) -> list[str]:
    try:
        StackConfig.model_validate(values)
    except ValidationError as exc:
        return [str(p) for p in problems_from(exc)]
    return []


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_shipped_stacks_are_valid(stack):
    cfg = load_stack(stack)
    assert cfg.models


def _set(values: dict, path: str, value) -> None:
    """Set values['a']['b'][0]['c'] from 'a.b.0.c'; a value of ... deletes the key."""
    parts = [int(p) if p.isdigit() else p for p in path.split(".")]
    node = values
    for p in parts[:-1]:
        node = node[p]
    if value is ...:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value


CASES = [
    # (mutations, expected key path, fragment of the message)
    ({"target.kind": "gke"}, "privllm:target.kind", "'kind', 'eks' or 'existing'"),
    ({"target.region": ...}, "privllm:target.region", "required when kind is 'eks'"),
    ({"target.kind": "existing"}, "privllm:target.kube_context", "required when kind is 'existing'"),
    ({"target.region": "us-east-1"}, "privllm:target.region", "data-residency allowlist"),
    ({"target.kubernetes_version": "1.19"}, "privllm:target.kubernetes_version", "1.31"),
    ({"target.cluster_name": "Bad_Name"}, "privllm:target.cluster_name", "pattern"),
    ({"target.colour": "red"}, "privllm:target.colour", "unknown key"),
    ({"mirror.image_registry": "docker.io/library"}, "privllm:mirror.image_registry", "public registry"),
    ({"mirror.image_registry": "mirror.quay.io"}, "privllm:mirror.image_registry", "public registry"),
    ({"mirror.chart_repository": "oci://ghcr.io/charts"}, "privllm:mirror.chart_repository", "public registry"),
    ({"mirror.images": {"vllm": {"repository": "vllm/vllm-openai", "tag": "latest"}}}, "privllm:mirror.images.vllm.tag", "'latest' is not a fixed version"),
    ({"mirror.images": {"vllm": {"repository": "vllm/vllm-openai", "tag": "v1", "digest": "sha256:abc"}}}, "privllm:mirror.images.vllm.digest", "64 hex"),
    ({"mirror.images": {"vllm": {"repository": "vllm/vllm-openai", "tag": "v1"}}}, "privllm:mirror.images", "missing entries"),
    ({"network.vpc_cidr": "10.40.0.1/16"}, "privllm:network.vpc_cidr", "not a valid IPv4 CIDR"),
    ({"network.private_subnets": ["10.40.0.0/19"]}, "privllm:network.private_subnets", "one per zone"),
    ({"network.private_subnets.0": "10.99.0.0/19"}, "privllm:network.private_subnets[0]", "not inside vpc_cidr"),
    ({"network.gateway_ingress_cidrs": ["0.0.0.0/0"]}, "privllm:network.gateway_ingress_cidrs[0]", "public"),
    ({"network.gateway_ingress_cidrs": []}, "privllm:network.gateway_ingress_cidrs", "at least 1"),
    ({"network.egress.0.cidr": "0.0.0.0/0"}, "privllm:network.egress[0].cidr", "open egress"),
    ({"network.availability_zones": ["eu-central-1a"], "network.private_subnets": ["10.40.0.0/19"]}, "privllm:network.availability_zones", "at least two zones"),
    ({"gpu_pools.0.gpu": "h100-40gb"}, "privllm:gpu_pools[0].gpu", "h100-80gb"),
    ({"gpu_pools.0.instance_type": "m5.large"}, "privllm:gpu_pools[0].instance_type", "not a known GPU instance type"),
    ({"gpu_pools.0.gpus_per_node": 4}, "privllm:gpu_pools[0].gpu", "p5.48xlarge has 8 x h100-80gb"),
    ({"gpu_pools.0.min_nodes": 5}, "privllm:gpu_pools[0].min_nodes", "larger than max_nodes"),
    ({"gpu_pools.1.name": "h100"}, "privllm:gpu_pools[1].name", "used twice"),
    ({"models.0.quantization": "fp3"}, "privllm:models[0].quantization", "'awq'"),
    ({"models.0.kv_cache_dtype": "int4"}, "privllm:models[0].kv_cache_dtype", "'fp8'"),
    ({"models.0.pool": "a100"}, "privllm:models[0].pool", "not a GPU pool"),
    ({"models.0.pool": ...}, "privllm:models[0].pool", "required"),
    ({"models.0.tensor_parallel": 3}, "privllm:models[0].tensor_parallel", "does not divide the 8 GPUs"),
    ({"models.0.tensor_parallel": 8, "models.0.pipeline_parallel": 8}, "privllm:models[0].tensor_parallel", "max_nodes 4"),
    ({"models.0.tensor_parallel": 8, "models.0.pipeline_parallel": 3, "gpu_pools.0.max_nodes": 8}, None, None),
    ({"models.1.tensor_parallel": 16, "models.1.pipeline_parallel": 1}, "privllm:models[1].tensor_parallel", "does not divide the 28 attention heads"),
    ({"models.1.tensor_parallel": 3}, "privllm:models[1].tensor_parallel", "does not divide the 4 GPUs"),
    ({"models.0.quantization": "none", "models.0.tensor_parallel": 1}, "privllm:models[0].tensor_parallel", "of weights per GPU"),
    ({"models.1.quantization": "fp8"}, None, None),  # L40S has FP8
    (
        {"gpu_pools.1.instance_type": "p4de.24xlarge", "gpu_pools.1.gpu": "a100-80gb", "gpu_pools.1.gpus_per_node": 8, "models.1.quantization": "fp8"},
        "privllm:models[1].quantization",
        "FP8 tensor cores",
    ),
    # vllm (issue 20): the manifest's own digest, loaders, multi-node without EFA.
    ({"models.0.weights.manifest_sha256": ...}, "privllm:models[0].weights.manifest_sha256", "required"),
    ({"models.0.weights.manifest_sha256": "abc"}, "privllm:models[0].weights.manifest_sha256", "sha256sum SHA256SUMS"),
    ({"models.1.weights.uri": "oci://registry.corp.internal:5000/weights/qwen", "models.1.weights.load_format": "runai_streamer"},
     "privllm:models[1].weights.load_format", "oci://"),
    ({"models.0.weights.load_format": "runai_streamer", "models.0.weights.node_cache": True}, "privllm:models[0].weights.node_cache", "choose"),
    ({"models.0.weights.load_format": "runai_streamer"}, None, None),
    ({"models.0.tensor_parallel": 16, "models.0.max_model_len": 8192}, None, None),  # the p5 pool has EFA: TP across nodes allowed
    ({"models.0.architecture": "gpt-5"}, "privllm:models[0].architecture", "not in the catalogue"),
    ({"models.0.weights.revision": "main"}, "privllm:models[0].weights.revision", "not pinned"),
    ({"models.0.weights.uri": "https://huggingface.co/x"}, "privllm:models[0].weights.uri", "pattern"),
    ({"models.0.gpu_memory_utilization": 0.99}, "privllm:models[0].gpu_memory_utilization", "0.95"),
    ({"models.0.autoscaling.min_replicas": 5}, "privllm:models[0].autoscaling.min_replicas", "larger than max_replicas"),
    ({"models.0.autoscaling.min_replicas": 0}, "privllm:models[0].autoscaling.min_replicas", "scale_to_zero"),
    ({"models.1.autoscaling.min_replicas": 1}, "privllm:models[1].autoscaling.scale_to_zero", "min_replicas: 0"),
    ({"models.1.name": "llama-70b"}, "privllm:models[1].name", "used twice"),
    ({"models.1.served_name": "llama-3.3-70b-instruct"}, "privllm:models[1].served_name", "more than one model"),
    ({"models": []}, "privllm:models", "at least 1"),
    ({"data.prompt_logging": "redacted"}, "privllm:data.prompt_logging", "classified 'confidential'"),
    ({"data.retention_days": 400}, "privllm:data.retention_days", "exceeds max_retention_days"),
    ({"data.training_bucket": "corp-llm-inference"}, "privllm:data.training_bucket", "kept apart"),
    ({"gateway.oidc": {"issuer": "http://sso", "audience": "a"}}, "privllm:gateway.oidc.issuer", "https"),
    ({"gateway.rate_limits.requests_per_minute": True}, "privllm:gateway.rate_limits.requests_per_minute", "valid integer"),
    ({"gateway.guardrails": {"human_review_timeout_seconds": 59}}, "privllm:gateway.guardrails.human_review_timeout_seconds", "greater than or equal to 60"),
    ({"gateway.replicas": -1}, "privllm:gateway.replicas", "greater than or equal to 1"),
    ({"gateway.guardrails": {"prompt_injection": "off"}}, "privllm:gateway.guardrails.prompt_injection", "'block' or 'flag'"),
    ({"vault": {"mode": "external"}}, "privllm:vault.address", "required when mode is 'external'"),
    ({"vault": {"mode": "in-cluster", "address": "https://v:8200"}}, "privllm:vault.address", "only for mode 'external'"),
    ({"vault": {"mode": "external", "address": "http://v:8200"}}, "privllm:vault.address", "pattern"),
    ({"telemetry.siem.0.protocol": "syslog"}, "privllm:telemetry.siem[0].protocol", "'syslog-tls'"),
    ({"telemetry.siem.0.protocol": "splunk-hec"}, "privllm:telemetry.siem[0].token_secret", "needs a token"),
    ({"telemetry.siem": []}, "privllm:telemetry.siem", "at least 1"),
    ({"telemetry.siem.0.endpoint": "siem.corp.internal:514"}, "privllm:telemetry.siem[0].endpoint", "not in any network.egress"),
    ({"telemetry.siem.0.endpoint": "siem.privllm-siem.svc:514"}, None, None),
    ({"vault": {"mode": "external", "address": "https://vault.corp.internal:8200"}}, "privllm:vault.address", "port 8200 is not in any"),
    ({"rbac.platform_admin": ["system:masters"]}, "privllm:rbac.platform_admin[0]", "built-in Kubernetes group"),
    ({"rbac": ...}, "privllm:rbac", "required key is missing"),
    ({"colour": "blue"}, "privllm:colour", "unknown key"),
    ({"internal_ca_file": "ca/README.md"}, "privllm:internal_ca_file", "not a readable PEM"),
    ({"internal_ca_file": "ca/missing.pem"}, "privllm:internal_ca_file", "not a readable PEM"),
]


@pytest.mark.parametrize(("mutations", "path", "fragment"), CASES, ids=[str(c[0])[:60] for c in CASES])
def test_rule(reference_values, mutations, path, fragment):
    for key, value in mutations.items():
        _set(reference_values, key, value)
    problems = _problems(reference_values)
    if path is None:
        assert problems == [], "expected this variant to be valid"
        return
    matching = [p for p in problems if p.startswith(path + ":")]
    assert matching, f"no problem at {path}; got {problems}"
    assert any(fragment in p for p in matching), matching


def test_multi_node_model_needs_whole_nodes(reference_values):
    _set(reference_values, "models.0.tensor_parallel", 8)
    _set(reference_values, "models.0.pipeline_parallel", 1)
    assert _problems(reference_values) == []
    _set(reference_values, "models.0.tensor_parallel", 12)
    assert any("privllm:models[0].tensor_parallel" in p for p in _problems(reference_values))


def test_air_gap_off_allows_public_registry(reference_values):
    reference_values["mirror"]["air_gapped"] = False
    reference_values["mirror"]["image_registry"] = "docker.io/library"
    assert _problems(reference_values) == []


def test_only_kind_may_omit_pool():
    local = load_stack("local")
    assert local.models[0].pool is None and local.target.kind == "kind"


def test_secure_values_in_stack_file_are_refused(tmp_path):
    f = tmp_path / "Pulumi.x.yaml"
    f.write_text("config:\n  privllm:vault:\n    secure: AAABAJ\n")
    with pytest.raises(StackError, match="privllm:vault: secrets do not belong"):
        load_stack(f)


def test_missing_file_names_shipped_stacks(tmp_path):
    with pytest.raises(StackError, match="reference, local, onprem"):
        load_stack(tmp_path / "nope.yaml")


def test_image_ref_uses_digest_when_recorded(reference_values):
    from privllm.stack.model import _default_images

    images = {k: v.model_dump() for k, v in _default_images().items()}
    images["vllm"]["digest"] = "sha256:" + "a" * 64
    reference_values["mirror"]["images"] = images
    cfg = StackConfig.model_validate(reference_values)
    from privllm.serving.vllm.cli_table import load

    assert cfg.mirror.image_ref("vllm") == f"registry.corp.internal:5000/mirror/vllm/vllm-openai:{load().image_tag}@sha256:" + "a" * 64
    assert cfg.mirror.image_ref("gateway") == "registry.corp.internal:5000/mirror/privllm/llm-gateway:0.1.0"


def test_tensor_parallel_across_nodes_needs_efa_on_any_target():
    """onprem (an existing cluster): no EFA on the A100 pool, so TP 16 over two nodes is refused; PP across nodes is fine."""
    from privllm.stack.load import read_stack_values, resolve_stack_path

    values = copy.deepcopy(read_stack_values(resolve_stack_path("onprem")))
    _set(values, "models.0.tensor_parallel", 16)
    problems = _problems(values)
    assert any(p.startswith("privllm:models[0].tensor_parallel:") and "no EFA" in p for p in problems), problems
    _set(values, "models.0.tensor_parallel", 8)
    _set(values, "models.0.pipeline_parallel", 2)
    assert _problems(values) == []
