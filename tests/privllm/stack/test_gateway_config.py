"""One gateway configuration model: the stack embeds it, the chart writes it as-is, the gateway
loads it, and the chart's schema for it is generated from it."""

from __future__ import annotations

import json

import pytest
import yaml
from pydantic import ValidationError

from privllm.infra.values import gateway_config
from privllm.stack import load_stack
from privllm.stack.gateway_config import GatewayConfig, GatewaySettings, chart_schema_path, chart_schema_with_gateway, chart_values_schema
from privllm.stack.model import Gateway


def test_committed_chart_schema_is_the_generated_one():
    committed = json.loads(chart_schema_path().read_text())
    assert committed == chart_schema_with_gateway(committed), "run scripts/gen-gateway-schema and commit the result"


def test_generated_schema_is_closed_and_described():
    schema = chart_values_schema()
    assert "$ref" not in json.dumps(schema) and "$defs" not in schema
    assert schema["additionalProperties"] is False
    missing = [name for name, prop in schema["properties"].items() if not prop.get("description")]
    assert missing == []
    limits = schema["properties"]["rate_limits"]
    assert limits["additionalProperties"] is False and limits["properties"]["requests_per_minute"]["description"]


def test_every_gateway_config_field_is_in_the_schema():
    props = chart_values_schema()["properties"]
    assert set(props) == set(GatewayConfig.model_fields)


def test_the_stack_embeds_the_gateway_settings():
    assert issubclass(Gateway, GatewaySettings) and issubclass(GatewayConfig, GatewaySettings)
    assert set(Gateway.model_fields) - set(GatewaySettings.model_fields) == {"replicas"}


def test_serving_re_exports_the_same_model():
    from privllm.serving.gateway import config

    assert config.GatewayConfig is GatewayConfig


@pytest.mark.parametrize("stack", ["reference", "local", "onprem"])
def test_rendered_config_file_is_the_programs_config(plans, stack):
    """The chart writes the program's GatewayConfig unchanged; the gateway reads back the same model."""
    plan = plans[stack]
    (cm,) = [o for o in plan.objects if o["kind"] == "ConfigMap" and "gateway.yaml" in o.get("data", {})]
    loaded = GatewayConfig.model_validate(yaml.safe_load(cm["data"]["gateway.yaml"]))
    assert loaded == gateway_config(plan.cfg)


def test_stack_settings_reach_the_config_file():
    cfg = load_stack("reference")
    config = gateway_config(cfg)
    assert config.rate_limits.requests_per_minute == cfg.gateway.rate_limits.requests_per_minute == 120
    assert config.oidc is not None and config.oidc.issuer == cfg.gateway.oidc.issuer
    assert config.prompt_logging == cfg.data.prompt_logging
    assert [u.name for u in config.upstreams] == [m.served_name for m in cfg.models]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"rate_limits": {"requests_per_minute": True}}, "rate_limits.requests_per_minute"),
        ({"guardrails": {"human_review_timeout_seconds": 59}}, "guardrails.human_review_timeout_seconds"),
        ({"max_body_bytes": 64 * 1024 * 1024}, "max_body_bytes"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_one_set_of_constraints(override, field):
    base = {"upstreams": [{"name": "m", "url": "http://m.svc:8000"}]}
    with pytest.raises(ValidationError) as exc:
        GatewayConfig.model_validate({**base, **override})
    assert field in {".".join(str(p) for p in e["loc"]) for e in exc.value.errors()}


def _upstream(classification: str) -> dict:
    return {"name": f"m-{classification}", "url": "http://m.serving.svc:8000", "data_classification": classification}


def test_durable_audit_is_the_default_for_confidential_and_restricted_models():
    from privllm.stack.gateway_config import GatewayConfig

    for classification, durable in (("public", False), ("internal", False), ("confidential", True), ("restricted", True)):
        config = GatewayConfig.model_validate({"upstreams": [_upstream(classification)]})
        assert config.audit.mode == "auto" and config.durable_audit is durable


def test_normal_audit_is_refused_for_a_restricted_model():
    import pydantic
    import pytest

    from privllm.stack.gateway_config import GatewayConfig

    with pytest.raises(pydantic.ValidationError, match="audit.mode 'normal'.*m-restricted"):
        GatewayConfig.model_validate({"upstreams": [_upstream("internal"), _upstream("restricted")], "audit": {"mode": "normal"}})
    assert GatewayConfig.model_validate({"upstreams": [_upstream("internal")], "audit": {"mode": "durable"}}).durable_audit
