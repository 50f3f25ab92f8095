"""Alerts, runbooks, the plan and the metrics the components really export, held together."""

from __future__ import annotations

import re

import httpx
import pytest

from privllm.infra.alerts import EXTERNAL_METRICS
from privllm.runbooks import SECTIONS, all_runbooks, render, sections
from tests.conftest import SHIPPED_STACKS

SECURITY = {"PromptInjectionSpike", "SensitiveDataLeakReported", "ApiKeyCompromise", "ModelExtractionSuspected",
            "UnauthorisedAccessAttempt", "AuditGap", "WeightsIntegrityMismatch", "EmergencyKillSwitch"}


def alerts_of(plan) -> list[dict]:
    return [r for o in plan.objects if o["kind"] == "PrometheusRule" for g in o["spec"]["groups"] for r in g["rules"] if "alert" in r]


def test_reference_plan_has_at_least_a_dozen_alerts(plans):
    assert len({a["alert"] for a in alerts_of(plans["reference"])}) >= 12


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_every_alert_links_an_existing_runbook(plans, stack):
    plan = plans[stack]
    books = all_runbooks()
    base = plan.cfg.runbook_base_url
    for alert in alerts_of(plan):
        url = alert["annotations"]["runbook_url"]
        assert url.startswith(base + "/"), url
        component, file = url.removeprefix(base + "/").split("/")
        assert file == f"{alert['alert']}.md"
        assert alert["alert"] in books and books[alert["alert"]].parent.name == component, url


def test_security_incident_runbooks_exist():
    assert SECURITY <= {name for name, path in all_runbooks().items() if path.parent.name == "security"}


@pytest.mark.parametrize("name", sorted(all_runbooks()))
def test_runbook_has_every_section_and_no_todo(name):
    text = all_runbooks()[name].read_text()
    assert tuple(sections(text)) == SECTIONS
    assert not re.search(r"\bTODO\b|\bTBD\b|FIXME", text)
    for body in re.split(r"^## \w+", text, flags=re.MULTILINE)[1:]:
        assert body.strip(), f"{name}: empty section"


@pytest.mark.parametrize("name", sorted(all_runbooks()))
def test_runbook_commands_name_what_the_reference_plan_contains(plans, name):
    plan = plans["reference"]
    text = render(name, plan.cfg, "reference")
    assert "{{" not in text
    namespaces = {o["metadata"]["name"] for o in plan.objects if o["kind"] == "Namespace"} | {"monitoring", "kube-system"}
    named = {(o["kind"].lower(), o["metadata"].get("namespace"), o["metadata"]["name"]) for o in plan.objects}
    kinds = {"deploy": "deployment", "deployment": "deployment", "configmap": "configmap", "scaledobject": "scaledobject",
             "networkpolicy": "networkpolicy", "svc": "service", "service": "service"}
    for command in re.findall(r"kubectl[^\n`]*", text):
        ns_match = re.search(r"-n (\S+)", command)
        if ns_match:
            assert ns_match.group(1) in namespaces, f"{name}: namespace {ns_match.group(1)} in `{command}`"
        for kind, resource in re.findall(r"\b(deploy|deployment|configmap|scaledobject|networkpolicy|svc|service)[/ ]([a-z0-9][a-z0-9-]+)\b", command):
            if resource.startswith("-") or resource in ("-l", "-o"):
                continue
            ns = ns_match.group(1) if ns_match else None
            assert (kinds[kind], ns, resource) in named, f"{name}: {kind}/{resource} in {ns} is not in the plan (`{command}`)"


def _metric_names(expr: str) -> set[str]:
    candidates = set(re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=[{\[])", expr))
    keywords = {"sum", "max", "min", "avg", "rate", "increase", "histogram_quantile", "by", "on", "and", "or", "offset", "time"}
    return {c for c in candidates if c not in keywords}


def _base(name: str) -> str:
    return re.sub(r"_(bucket|count|sum|total)$", "", name)


def test_every_metric_an_alert_uses_is_exported(plans, make_gateway, standin):
    gw = make_gateway()
    gw.chat(gw.key(), "hello")
    exported = {_base(line.split("{")[0].split(" ")[0]) for line in gw.client.get("/metrics").text.splitlines() if line and not line.startswith("#")}
    exported |= {_base(line.split(" ")[2]) for line in gw.client.get("/metrics").text.splitlines() if line.startswith("# TYPE")}
    standin_metrics = httpx.get(f"{standin.url}/metrics").text
    exported |= {_base(line.split(" ")[2]) for line in standin_metrics.splitlines() if line.startswith("# TYPE")}
    exported |= set(EXTERNAL_METRICS)
    for alert in alerts_of(plans["reference"]):
        for metric in _metric_names(alert["expr"]):
            assert _base(metric) in exported, f"{alert['alert']} uses {metric}, which nothing exports"
