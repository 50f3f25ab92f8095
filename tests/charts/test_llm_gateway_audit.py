"""The llm-gateway chart carries the audit configuration through: the spool directory the gateway
is told about is the volume the pod mounts, and the OTLP variables are ones the gateway accepts."""

from __future__ import annotations

import yaml

from privllm.infra import helm
from privllm.paths import CHARTS
from privllm.serving.gateway.config import GatewayConfig
from privllm.serving.telemetry.otlp_config import settings


def render(overrides: dict | None = None):
    values = yaml.safe_load((CHARTS / "llm-gateway/ci/default-values.yaml").read_text())
    for key, value in (overrides or {}).items():
        values[key] = {**values.get(key, {}), **value}
    out = helm.render("llm-gateway", values, release="gw", namespace="privllm")
    config = next(o for o in out.objects if o["kind"] == "ConfigMap" and "gateway.yaml" in o.get("data", {}))
    deployment = next(o for o in out.objects if o["kind"] == "Deployment" and o["metadata"]["name"].endswith("llm-gateway"))
    return GatewayConfig.model_validate(yaml.safe_load(config["data"]["gateway.yaml"])), deployment["spec"]["template"]["spec"]


def test_the_spool_directory_is_the_mounted_spool_volume():
    base = yaml.safe_load((CHARTS / "llm-gateway/ci/default-values.yaml").read_text())["gateway"]
    config, pod = render({"gateway": {**base, "audit": {"mode": "durable", "spool_dir": "/var/spool/audit"}}, "auditSpool": {"sizeLimit": "5Gi"}})
    assert config.audit.mode == "durable" and config.durable_audit
    mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "audit-spool")
    assert mount["mountPath"] == config.audit.spool_dir == "/var/spool/audit"
    assert pod["terminationGracePeriodSeconds"] >= 20 + config.audit.drain_seconds  # requests drained, then the spool shipped
    volume = next(v for v in pod["volumes"] if v["name"] == "audit-spool")
    assert volume["emptyDir"] == {"sizeLimit": "5Gi"}  # survives a container restart in the same pod


def test_the_otlp_variables_are_valid_for_the_gateway():
    _, pod = render()
    env = {e["name"]: e["value"] for e in pod["containers"][0]["env"] if "value" in e}
    assert env.pop("OTEL_EXPORTER_OTLP_CERTIFICATE").startswith("/etc/privllm-ca/")  # the file exists only in the pod
    s = settings(env)
    assert s.protocol == "grpc" and s.endpoint.startswith("https://") and not s.insecure


def test_the_program_puts_the_spool_on_the_chart_volume():
    from privllm.infra.values import gateway_values
    from privllm import facts
    from privllm.stack import load_stack

    values = gateway_values(load_stack("reference"))
    assert values["gateway"]["audit"]["spool_dir"] == facts.GATEWAY_AUDIT_SPOOL_DIR
    config = GatewayConfig.model_validate(values["gateway"])
    sensitive = any(u.data_classification in ("confidential", "restricted") for u in config.upstreams)
    assert config.durable_audit == sensitive
