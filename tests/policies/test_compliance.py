"""Compliance mapping: complete, consistent, and evaluated from real review results."""

from __future__ import annotations

import pytest

from privllm.policies import compliance
from privllm.policies.catalog import load_all
from privllm.policies.compliance import Mapping, MappingError, check, evaluate, load
from privllm.policies.compliance_report import as_json, as_markdown, html_document
from privllm.policies.review import review

FRAMEWORKS = ("gdpr", "hipaa", "iso27001", "rbi", "sebi")


def test_every_policy_maps_to_a_framework_control_and_every_id_exists():
    mapping = load()
    assert set(FRAMEWORKS) <= set(mapping.frameworks)
    assert check(mapping, [p.id for p in load_all()]) == []
    for pid, kcs in mapping.policies.items():
        reached = {fw for kc in kcs for fw in (mapping.kit_controls[kc].get("frameworks") or {})}
        assert reached, f"{pid} reaches no framework"


def test_every_framework_has_a_source_and_the_kit_reaches_it():
    mapping = load()
    for key in FRAMEWORKS:
        fw = mapping.frameworks[key]
        assert fw.source and fw.controls
        assert any(mapping.kit_controls_for(key, cid) for cid in fw.controls), key


def test_an_unknown_id_in_the_mapping_is_an_error():
    good = load()
    broken = Mapping(good.frameworks, {**good.kit_controls, "x": {"title": "x", "frameworks": {"gdpr": ["Art. 99"]}}}, good.policies, good.runtime)
    assert any("Art. 99" in p for p in check(broken))
    assert check(good, ["PLLM-L9-999"])  # a policy id that does not exist, and every real one unlisted


def privileged_review_pod() -> dict:
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bad", "namespace": "privllm-serving"},
        "spec": {"containers": [{"name": "c", "image": "registry.example/x:1.0", "securityContext": {"privileged": True}}]},
    }


@pytest.fixture(scope="module")
def privileged_review():
    return review([privileged_review_pod()])


def test_a_failing_policy_fails_the_controls_it_serves_with_the_finding_as_evidence(privileged_review):
    report = evaluate(privileged_review, "iso27001")
    by_id = {c.id: c for c in report.controls}
    assert by_id["A.8.9"].status == "failed"  # workload hardening
    assert any(f["policy"] == "PLLM-L1-011" for f in by_id["A.8.9"].findings)
    # Controls the kit does not reach are reported as the organisation's responsibility.
    assert report.counts()["not-covered"] >= 1


def test_controls_reached_only_at_run_time_say_so(privileged_review):
    report = evaluate(privileged_review, "gdpr")
    by_id = {c.id: c for c in report.controls}
    assert by_id["Art. 32(1)(d)"].status == "kit-provided"
    assert {r["id"] for r in by_id["Art. 32(1)(d)"].runtime} == {"RT-REVIEW-GATE", "RT-REDTEAM-GATE"}


def test_exempted_findings_do_not_fail_a_control(privileged_review):
    class Exempted:
        def __init__(self, finding):
            self.resource, self.message, self.exempted = finding.resource, finding.message, True

    fresh = review([privileged_review_pod()])
    for r in fresh.results:
        r.findings[:] = [Exempted(f) for f in r.findings]
    report = evaluate(fresh, "iso27001")
    assert {c.id: c for c in report.controls}["A.8.9"].status != "failed"


def test_unknown_framework_names_the_valid_ones(privileged_review):
    with pytest.raises(MappingError, match="gdpr, hipaa, iso27001, rbi, sebi"):
        evaluate(privileged_review, "pci")


def test_reports_in_every_format_carry_every_control():
    rev = review([])
    reports = [evaluate(rev, f) for f in FRAMEWORKS]
    data = as_json(reports)
    assert [r["framework"] for r in data["compliance"]] == list(FRAMEWORKS)
    md = as_markdown(reports)
    page = html_document(reports)
    for r in reports:
        for c in r.controls:
            assert c.id in md and c.id.replace("&", "&amp;") in page


def test_mapping_cache_is_the_module_loader():
    assert compliance.load() is compliance.load()


def test_review_cli_answers_per_control_in_json_and_refuses_unknown_frameworks(tmp_path):
    import json

    from typer.testing import CliRunner

    from privllm.cli import app

    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: privllm-serving}\n"
        "spec: {containers: [{name: c, image: 'registry.example/x:1.0', securityContext: {privileged: true}}]}\n"
    )
    runner = CliRunner()
    result = runner.invoke(app, ["review", "--manifests", str(tmp_path), "--format", "json", "--framework", "hipaa", "--framework", "rbi"])
    assert result.exit_code == 1, result.output  # the privileged pod is a finding
    data = json.loads(result.stdout)
    assert [c["framework"] for c in data["compliance"]] == ["hipaa", "rbi"]
    hipaa = {c["id"]: c for c in data["compliance"][0]["controls"]}
    assert hipaa["164.312(c)(1)"]["status"] == "failed"
    assert hipaa["164.312(a)(2)(ii)"]["status"] == "not-covered"
    bad = runner.invoke(app, ["review", "--manifests", str(tmp_path), "--framework", "pci"])
    assert bad.exit_code == 2 and "valid: gdpr, hipaa, iso27001, rbi, sebi" in bad.output
