"""Our charts rendered by real Helm v4: every ci scenario lints, validates and stays secure."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pytest
import yaml

from privllm.infra import helm
from privllm.infra.kube import containers, pod_specs, schema_errors
from privllm.paths import CHARTS

KUBE_VERSION = "1.33"
SCENARIOS = sorted((c.parent.parent.name, c) for c in CHARTS.glob("*/ci/*-values.yaml"))


def _values(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_every_application_chart_has_scenarios():
    charts = {name for name, _ in SCENARIOS}
    assert charts == {"vllm-server", "llm-gateway"}
    assert len([s for s in SCENARIOS if s[0] == "vllm-server"]) >= 6


@pytest.fixture(scope="module", params=SCENARIOS, ids=[f"{n}:{p.name}" for n, p in SCENARIOS])
def rendered(request):
    name, path = request.param
    values = _values(path)
    return name, values, helm.render(name, values, release="test", namespace="privllm")


def test_lint_strict_clean(rendered):
    name, values, _ = rendered
    assert helm.lint(name, values, kube_version=KUBE_VERSION) == []


def test_objects_validate_against_kubernetes_schemas(rendered):
    _, _, out = rendered
    assert out.objects
    for obj in out.objects + out.tests:
        assert schema_errors(obj, KUBE_VERSION) == [], f"{obj['kind']}/{obj['metadata']['name']}"


def test_images_come_from_the_mirror_at_fixed_versions(rendered):
    _, values, out = rendered
    registry = values["image"]["registry"]
    for obj in out.objects + out.tests:
        for spec in pod_specs(obj):
            for c in containers(spec):
                image = c["image"]
                assert image.startswith(registry + "/"), image
                tag = image.split("@")[0].rsplit(":", 1)[1]
                assert tag and tag != "latest", image


def test_no_secret_material_in_manifests(rendered):
    _, _, out = rendered
    for obj in out.objects:
        assert obj["kind"] != "Secret", "charts never create Secrets; Vault mounts them as files"
        for spec in pod_specs(obj):
            for c in containers(spec):
                for env in c.get("env") or []:
                    assert "valueFrom" not in env or "secretKeyRef" not in env["valueFrom"], env
                    assert "KEY" not in env["name"] or env["name"].endswith("_FILE"), env
                assert "envFrom" not in c


def test_every_workload_has_a_network_policy(rendered):
    _, _, out = rendered
    policies = [o for o in out.objects if o["kind"] == "NetworkPolicy"]
    for obj in out.objects:
        if obj["kind"] in ("Deployment", "LeaderWorkerSet"):
            labels = next(iter(pod_specs(obj)), None) is not None and (
                obj["spec"].get("template", {}).get("metadata", {}).get("labels")
                or obj["spec"]["leaderWorkerTemplate"]["leaderTemplate"]["metadata"]["labels"]
            )
            assert any(
                all(labels.get(k) == v for k, v in p["spec"]["podSelector"]["matchLabels"].items()) for p in policies
            ), obj["metadata"]["name"]
    for p in policies:
        assert set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}


def test_vllm_alerts_link_runbooks():
    out = helm.render("vllm-server", _values(CHARTS / "vllm-server/ci/scale-to-zero-values.yaml"), release="m", namespace="p")
    rules = [r for o in out.objects if o["kind"] == "PrometheusRule" for g in o["spec"]["groups"] for r in g["rules"]]
    assert {r["alert"] for r in rules} >= {"VllmQueueBacklog", "VllmKvCacheSaturated", "VllmScaleFromZeroSlow"}
    for r in rules:
        assert r["annotations"]["runbook_url"].startswith("https://runbooks.privllm.internal/runbooks/")


def test_multinode_uses_leaderworkerset_with_vllms_native_launcher():
    out = helm.render("vllm-server", _values(CHARTS / "vllm-server/ci/multinode-values.yaml"), release="m", namespace="p")
    kinds = {o["kind"] for o in out.objects}
    assert "LeaderWorkerSet" in kinds and "Deployment" not in kinds
    lws = next(o for o in out.objects if o["kind"] == "LeaderWorkerSet")
    assert lws["spec"]["leaderWorkerTemplate"]["size"] == 2
    leader = lws["spec"]["leaderWorkerTemplate"]["leaderTemplate"]["spec"]["containers"][0]["args"][0]
    assert "'--distributed-executor-backend' 'mp' '--nnodes' '2'" in leader
    assert "ray" not in leader


def test_digest_is_appended_when_recorded():
    values = _values(CHARTS / "vllm-server/ci/default-values.yaml")
    # A digest computed from fixed bytes: a test fixture, not a claimed image digest.
    digest = "sha256:" + hashlib.sha256(b"privllm test fixture").hexdigest()
    values["image"]["digest"] = digest
    out = helm.render("vllm-server", values, release="m", namespace="p")
    dep = next(o for o in out.objects if o["kind"] == "Deployment")
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"].endswith("@" + digest)


def test_api_key_reaches_vllm_as_a_file():
    out = helm.render("vllm-server", _values(CHARTS / "vllm-server/ci/default-values.yaml"), release="m", namespace="p")
    dep = next(o for o in out.objects if o["kind"] == "Deployment")
    c = dep["spec"]["template"]["spec"]["containers"][0]
    assert "cat /var/run/secrets/privllm/api-key" in c["args"][0]
    assert not any(e["name"] == "VLLM_API_KEY" for e in c["env"])
    assert {"name": "HF_HUB_OFFLINE", "value": "1"} in c["env"]
    volume = next(v for v in dep["spec"]["template"]["spec"]["volumes"] if v["name"] == "api-key")
    assert volume["csi"]["driver"] == "secrets-store.csi.k8s.io"


BAD_VALUES = [
    ("vllm-server", {"model": {"quantization": "fp3"}}, "/model/quantization"),
    ("vllm-server", {"model": {"trustRemoteCode": True}}, "/model/trustRemoteCode"),
    ("vllm-server", {"model": {"extraArgs": ["--trust-remote-code"]}}, "--trust-remote-code"),
    ("vllm-server", {"model": {"extraArgs": ["--Trust_Remote_Code=1"]}}, "--Trust_Remote_Code=1"),
    ("vllm-server", {"model": {"extraArgs": ["--api-key=abc"]}}, "--api-key"),
    ("vllm-server", {"model": {"extraArgs": ["--enable-log-requests"]}}, "enable-log-requests"),
    ("vllm-server", {"autoscaling": {"maxReplicas": -1}}, "/autoscaling/maxReplicas"),
    ("vllm-server", {"autoscaling": {"minReplicas": 3, "maxReplicas": 2}}, "minReplicas 3"),
    ("vllm-server", {"autoscaling": {"minReplicas": 0}}, "scaleToZero"),
    ("vllm-server", {"image": {"tag": "latest"}}, "/image/tag"),
    ("vllm-server", {"image": {"registry": ""}}, "image.registry is empty"),
    ("vllm-server", {"image": {"digest": "sha256:abc"}}, "/image/digest"),
    ("vllm-server", {"weights": {"verify": False}}, "/weights/verify"),
    ("vllm-server", {"model": {"tensorParallel": 3, "pipelineParallel": 3}, "gpuPool": {"gpusPerNode": 8}}, "whole number"),
    ("vllm-server", {"apiKey": {"vaultAddress": "http://vault:8200"}}, "/apiKey/vaultAddress"),
    ("vllm-server", {"colour": "blue"}, "colour"),
    ("vllm-server", {"securityContext": {"runAsUser": 0}}, "/securityContext/runAsUser"),
    ("llm-gateway", {"replicas": -2}, "/replicas"),
    ("llm-gateway", {"replicas": 3, "redis": {"enabled": False}}, "replicas=3"),
    ("llm-gateway", {"service": {"type": "LoadBalancer"}}, "/service/type"),
    ("llm-gateway", {"networkPolicy": {"allowedCidrs": ["0.0.0.0/0"]}}, "/networkPolicy/allowedCidrs/0"),
    ("llm-gateway", {"gateway": {"key_store": {"address": ""}}}, "gateway.key_store needs kind: vault, address"),
    ("llm-gateway", {"gateway": {"rate_limits": {"redis_url": "redis://elsewhere:6379/0"}}}, "redis_url must be redis://llm-gateway-redis:6379/0"),
    ("llm-gateway", {"gateway": {"rate_limits": {"requests_per_minute": True}}}, "/gateway/rate_limits/requests_per_minute"),
    ("llm-gateway", {"gateway": {"guardrails": {"human_review_timeout_seconds": 1}}}, "/gateway/guardrails/human_review_timeout_seconds"),
    ("llm-gateway", {"gateway": {"guardrails": {"prompt_injection": "off"}}}, "/gateway/guardrails/prompt_injection"),
    ("llm-gateway", {"gateway": {"upstreams": [{"name": "m", "url": "http://evil.example.com:80"}]}}, "plain http"),
    ("llm-gateway", {"gateway": {"unknown": 1}}, "unknown"),
]


def _merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in override.items():
        out[k] = _merge(out.get(k) or {}, v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


@pytest.mark.parametrize(("chart", "override", "named"), BAD_VALUES, ids=[f"{c}:{o}"[:70] for c, o, _ in BAD_VALUES])
def test_bad_values_fail_naming_the_value(chart, override, named):
    values = _merge(_values(CHARTS / chart / "ci/default-values.yaml"), override)
    with pytest.raises(helm.ChartValuesError) as exc:
        helm.render(chart, values, release="bad", namespace="p")
    assert named in str(exc.value)


def test_normalise_turns_whole_floats_into_ints():
    assert helm.normalise({"a": 2.0, "b": [1.0, 0.9], "c": {"d": 3.5}}) == {"a": 2, "b": [1, 0.9], "c": {"d": 3.5}}


PSS_POLICIES = {"PLLM-L1-010", "PLLM-L1-011", "PLLM-L1-012", "PLLM-L1-013", "PLLM-L1-014", "PLLM-L1-015", "PLLM-L4-004", "PLLM-L3-003"}


def test_rendered_pods_meet_pod_security_restricted(rendered):
    """Pod Security Standards "restricted" (and then some), checked by the review's own policies."""
    from privllm.policies.catalog import load_all
    from privllm.policies.review import review

    _, _, out = rendered
    policies = [p for p in load_all() if p.id in PSS_POLICIES]
    assert len(policies) == len(PSS_POLICIES)
    result = review(out.objects + out.tests, policies=policies)
    assert result.errors == []
    assert [f"{f.id} {f.resource['name']}: {f.message}" for f in result.findings] == []
    assert sum(r.documents for r in result.results) > 0
