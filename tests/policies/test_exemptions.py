"""Exemptions: per policy and object selector, with a reason and an owner; shown in every report
format; only unexempted findings count toward the exit code."""

from __future__ import annotations

import json

import pytest
import yaml
from pydantic import ValidationError

from policies.report import FORMATS
from policies.review import review, review_stack
from privllm.stack.model import ReviewSettings, StackConfig
from tests.policies.clirun import review_files

PRIVILEGED = "apiVersion: v1\nkind: Pod\nmetadata: {name: node-debugger, namespace: ops}\nspec:\n  containers: [{name: c, image: 'registry.corp.internal/x:1.0', securityContext: {privileged: true}}]\n"
EXEMPTION = {"policy": "PLLM-L1-011", "kind": "Pod", "namespace": "ops", "name": "node-*", "reason": "break-glass node debugging, removed after incidents", "owner": "platform-oncall"}


def _settings(tmp_path, exemptions) -> str:
    path = tmp_path / "review.yaml"
    path.write_text(yaml.safe_dump({"exemptions": exemptions}))
    return str(path)


def test_exempted_finding_does_not_count_but_is_reported(tmp_path):
    plain = review_files(tmp_path, {"p.yaml": PRIVILEGED}, "--fail-on", "critical")
    assert plain.code == 1 and "PLLM-L1-011" in plain.ids
    exempted = review_files(tmp_path, {"p.yaml": PRIVILEGED}, "--fail-on", "critical", "--exemptions", _settings(tmp_path, [EXEMPTION]))
    assert exempted.code == 0, exempted.output
    assert "PLLM-L1-011" not in exempted.ids
    shown = [f for f in exempted.report["exempted"] if f["id"] == "PLLM-L1-011"]
    assert shown and shown[0]["exemption"]["reason"] == EXEMPTION["reason"] and shown[0]["exemption"]["owner"] == "platform-oncall"


def test_selector_globs_are_narrow(tmp_path):
    other = PRIVILEGED.replace("node-debugger", "web")
    outcome = review_files(tmp_path, {"p.yaml": other}, "--fail-on", "critical", "--exemptions", _settings(tmp_path, [EXEMPTION]))
    assert outcome.code == 1 and "PLLM-L1-011" in outcome.ids


@pytest.mark.parametrize(
    ("change", "message"),
    [({"reason": ""}, "exemptions[0].reason"), ({"reason": "   "}, "exemptions[0].reason"), ({"owner": ""}, "exemptions[0].owner"), ({"policy": "L1-011"}, "exemptions[0].policy")],
)
def test_exemption_without_reason_or_owner_is_refused(tmp_path, change, message):
    outcome = review_files(tmp_path, {"p.yaml": PRIVILEGED}, "--exemptions", _settings(tmp_path, [{**EXEMPTION, **change}]))
    assert outcome.code == 2
    assert message in outcome.output and "review.yaml" in outcome.output


def test_missing_reason_is_refused_by_the_stack_model():
    with pytest.raises(ValidationError):
        ReviewSettings.model_validate({"exemptions": [{k: v for k, v in EXEMPTION.items() if k != "reason"}]})


def test_every_report_format_shows_the_exemption():
    from policies.exemptions import exemption_for

    doc = yaml.safe_load(PRIVILEGED)
    settings = ReviewSettings.model_validate({"exemptions": [EXEMPTION]})
    result = review([doc], exemptions=list(settings.exemptions))
    assert exemption_for(list(settings.exemptions), "PLLM-L1-011", result.exempted[0].resource)
    for name, render in FORMATS.items():
        text = render(result)
        assert EXEMPTION["reason"] in text and "platform-oncall" in text, name
    sarif = json.loads(FORMATS["sarif"](result))
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert suppressed and all(r["ruleId"] == "PLLM-L1-011" for r in suppressed)
    assert suppressed[0]["suppressions"][0]["justification"] == EXEMPTION["reason"]
    assert not any(r.get("suppressions") for r in sarif["runs"][0]["results"] if r["ruleId"] != "PLLM-L1-011")


def test_stack_review_section_exempts_and_parameterises(reference_values):
    values = dict(reference_values)
    values["review"] = {
        "allowed_registries": ["harbor.team.internal/ml"],
        "profiles": {"legacy": "baseline"},
        "exemptions": [{**EXEMPTION, "policy": "PLLM-L6-006", "kind": "Service", "namespace": "*", "name": "*"}],
    }
    cfg = StackConfig.model_validate(values)
    from policies.params import review_params

    params = review_params(cfg)
    assert params["allowed_registries"] == ["harbor.team.internal/ml"] and params["profiles"] == {"legacy": "baseline"}
    result = review_stack(cfg, "reference")
    assert result.errors == [] and result.findings == []
