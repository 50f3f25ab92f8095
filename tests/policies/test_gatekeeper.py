"""The exported Gatekeeper templates decide like the review: every sample of every enforceable
policy, through the exported Rego with Gatekeeper's input shape (review.object, parameters)."""

from __future__ import annotations

import pytest

from policies.catalog import load_all
from policies.documents import Intake, read_manifest
from policies.engine import Engine
from policies.gatekeeper import API_GROUPS, enforceable, export
from policies.params import PARAMS_SCHEMA, base_params
from policies.review import review

TEMPLATES = {t["metadata"]["annotations"]["privllm.io/policy-id"]: (t, c) for t, c in export(parameters=base_params() or None)}
POLICIES = {p.id: p for p in load_all() if enforceable(p)}
SAMPLES = [(pid, path) for pid, p in sorted(POLICIES.items()) for path in sorted((p.folder / "samples").glob("*/*.yaml"))]


def _template_engine(template: dict) -> tuple[Engine, str]:
    source = template["spec"]["targets"][0]["code"][0]["source"]
    modules = {f"lib{i}.rego": text for i, text in enumerate(source["libs"])}
    modules["template.rego"] = source["rego"]
    return Engine(modules), template["metadata"]["name"]


ENGINES = {pid: _template_engine(t) for pid, (t, _) in TEMPLATES.items()}


def test_every_enforceable_policy_is_exported_with_its_parameters_schema():
    assert set(TEMPLATES) == set(POLICIES)
    for template, constraint in TEMPLATES.values():
        assert template["spec"]["crd"]["spec"]["validation"]["openAPIV3Schema"] == PARAMS_SCHEMA
        assert constraint["kind"] == template["spec"]["crd"]["spec"]["names"]["kind"]
        assert all(kind in API_GROUPS for group in constraint["spec"]["match"]["kinds"] for kind in group["kinds"])


@pytest.mark.parametrize(("policy_id", "sample"), SAMPLES, ids=[f"{pid}:{s.parent.name}/{s.name}" for pid, s in SAMPLES])
def test_exported_template_agrees_with_the_review(policy_id, sample):
    policy = POLICIES[policy_id]
    intake = Intake()
    read_manifest(sample, intake)
    # Gatekeeper admits the objects themselves; pods inside custom resources are the review's own view.
    objects = [item for item in intake.items if item.original and item.doc["kind"] in policy.kinds]
    engine, package = ENGINES[policy_id]
    for item in objects:
        cli = {f.message for f in review([item], policies=[policy]).findings}
        violations = engine.query(f"data.{package}.violation", {"review": {"object": item.doc}, "parameters": base_params()}) or []
        assert {v["msg"] for v in violations} == cli, f"{sample.name}: {item.resource}"
    if sample.parent.name == "denied" and objects:
        assert any(review([item], policies=[policy]).findings for item in objects)


def test_parameters_reach_the_exported_rego():
    policy_id = "PLLM-L3-002"
    engine, package = ENGINES[policy_id]
    pod = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "harbor.team.internal/ml/x:1.0"}]}}
    mirror_only = {"mirror": "registry.corp.internal/mirror"}
    assert engine.query(f"data.{package}.violation", {"review": {"object": pod}, "parameters": mirror_only})
    allowed = {**mirror_only, "allowed_registries": ["harbor.team.internal/ml"]}
    assert not engine.query(f"data.{package}.violation", {"review": {"object": pod}, "parameters": allowed})
