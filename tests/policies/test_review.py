"""privllm review: results, formats, exit codes, and failure on engine errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from policies.catalog import load_all, load_policy
from policies.review import review, review_plan
from tests.conftest import SHIPPED_STACKS

MISCONFIGS = Path(__file__).parent / "misconfigs"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "privllm.cli", *args], capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_shipped_stacks_pass_their_own_review(plans, stack):
    result = review_plan(plans[stack])
    assert result.errors == []
    assert result.skipped == []
    assert result.findings == [], [f"{f.id} {f.resource} {f.message}" for f in result.findings]
    statuses = {r.status for r in result.results}
    assert "met" in statuses


def _expected(case: Path) -> set[str]:
    return set((case / "EXPECTED").read_text().split())


CASES = sorted(p for p in MISCONFIGS.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_unseen_misconfiguration_is_caught(case):
    r = run("review", "--manifests", str(case), "--format", "json")
    assert r.returncode == 1, r.stderr
    found = {f["id"] for f in json.loads(r.stdout)["findings"]}
    assert _expected(case) <= found, f"missing {_expected(case) - found}; found {found}"


def test_json_report_shape():
    r = run("review", "--manifests", str(MISCONFIGS / "privileged-pod"), "--format", "json")
    report = json.loads(r.stdout)
    finding = report["findings"][0]
    assert set(finding) >= {"id", "layer", "severity", "title", "resource", "message", "controls"}
    assert set(finding["resource"]) >= {"kind", "namespace", "name", "source"}
    assert report["scope"]["objects_by_kind"] == {"Pod": 1}
    assert set(report["summary"]) == {"infrastructure", "data", "model", "identity", "application", "monitoring"}


def test_sarif_report_is_valid_for_code_scanning():
    r = run("review", "--manifests", str(MISCONFIGS / "privileged-pod"), "--format", "sarif")
    sarif = json.loads(r.stdout)
    assert sarif["version"] == "2.1.0"
    run0 = sarif["runs"][0]
    rule_ids = {rule["id"] for rule in run0["tool"]["driver"]["rules"]}
    assert run0["results"] and all(res["ruleId"] in rule_ids for res in run0["results"])
    assert all(res["level"] in ("error", "warning", "note") for res in run0["results"])


def test_html_report_pictures_six_layers(tmp_path):
    out = tmp_path / "report.html"
    run("review", "--manifests", str(MISCONFIGS / "privileged-pod"), "--format", "html", "--output", str(out))
    page = out.read_text()
    assert page.count('class="layer"') == 6
    assert "PLLM-L1-011" in page and "failed" in page


def test_fail_on_threshold(tmp_path):
    # Only a medium finding (writable root filesystem).
    case = tmp_path / "medium"
    case.mkdir()
    pod = yaml.safe_load((MISCONFIGS / "privileged-pod" / "pod.yaml").read_text())
    pod["spec"]["containers"][0]["securityContext"] = {
        "privileged": False, "allowPrivilegeEscalation": False, "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"},
    }
    (case / "pod.yaml").write_text(yaml.safe_dump(pod))
    assert run("review", "--manifests", str(case), "--fail-on", "high").returncode == 0
    assert run("review", "--manifests", str(case), "--fail-on", "medium").returncode == 1


def test_unreadable_yaml_is_reported_by_file_and_line(tmp_path):
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n")
    r = run("review", "--manifests", str(tmp_path))
    assert r.returncode == 2
    assert "bad.yaml:line" in r.stderr and "Traceback" not in r.stderr


def test_non_kubernetes_yaml_is_reported(tmp_path):
    (tmp_path / "notes.yaml").write_text("shopping: [milk, eggs]\n")
    r = run("review", "--manifests", str(tmp_path))
    assert r.returncode == 2
    assert "notes.yaml#1: not a Kubernetes object" in r.stderr


def test_usage_errors_exit_2(tmp_path):
    assert run("review", "--manifests", str(tmp_path / "missing")).returncode == 2
    assert run("review", "--format", "xml").returncode == 2
    assert run("review", "--stack", "local", "--manifests", str(tmp_path)).returncode == 2


def test_engine_error_fails_the_review(tmp_path):
    """A policy whose evaluation errors must fail the review, not pass silently."""
    folder = tmp_path / "l1_broken"
    shutil.copytree(load_all()[0].folder, folder)
    text = (folder / "policy.rego").read_text().replace("package privllm.policies.l1_", "package privllm.policies.broken_l1_")
    text += '\ndeny contains msg if {\n\tmsg := lower(input.metadata.missing_number + 1)\n}\n'
    text = text.replace("custom:\n#   id: PLLM-L1-001", "custom:\n#   id: PLLM-L1-999")
    (folder / "policy.rego").write_text(text)
    broken = load_policy(folder)
    doc = {"apiVersion": "privllm.io/v1", "kind": "CloudResource", "metadata": {"name": "x", "missing_number": "text"}, "type": "aws:eks/cluster:Cluster", "inputs": {}}
    result = review([doc], policies=[broken])
    assert result.errors, "an evaluation error must be reported"


def test_gatekeeper_templates_evaluate_like_the_review():
    """The exported template's Rego, run as Gatekeeper would (input.review.object)."""
    from policies.engine import Engine
    from policies.gatekeeper import export

    pairs = {t["metadata"]["annotations"]["privllm.io/policy-id"]: (t, c) for t, c in export()}
    assert len(pairs) >= 15
    template, constraint = pairs["PLLM-L1-011"]
    source = template["spec"]["targets"][0]["code"][0]["source"]
    assert source["version"] == "v1" and template["apiVersion"] == "templates.gatekeeper.sh/v1"
    assert constraint["kind"] == template["spec"]["crd"]["spec"]["names"]["kind"]
    modules = {f"lib{i}.rego": text for i, text in enumerate(source["libs"])}
    modules["template.rego"] = source["rego"]
    engine = Engine(modules)
    package = template["metadata"]["name"]
    privileged = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "securityContext": {"privileged": True, "allowPrivilegeEscalation": False}}]}}
    violations = engine.query(f"data.{package}.violation", {"review": {"object": privileged}})
    assert violations and "privileged" in violations[0]["msg"]
    safe = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": False}}]}}
    assert not engine.query(f"data.{package}.violation", {"review": {"object": safe}})


def test_plan_installs_the_exported_constraints(plans):
    plan = plans["local"]
    templates = [o for o in plan.objects if o["kind"] == "ConstraintTemplate"]
    assert len(templates) >= 15
    constraints = [o for o in plan.objects if o["apiVersion"] == "constraints.gatekeeper.sh/v1beta1"]
    assert {c["kind"] for c in constraints} == {t["spec"]["crd"]["spec"]["names"]["kind"] for t in templates}


def test_review_leaves_the_callers_objects_as_they_were():
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": None}, "spec": {"containers": [{"name": "c", "image": "x:1.0", "env": None}]}}
    before = json.dumps(pod, sort_keys=True)
    review([pod])
    assert json.dumps(pod, sort_keys=True) == before
