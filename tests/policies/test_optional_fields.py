"""No finding depends on an optional field: every denied sample still fails its policy when the
object has no name (generateName instead, or no metadata at all), no namespace, and nameless
containers. A Rego message built from a missing field is undefined, and the finding vanishes."""

from __future__ import annotations

import copy

import pytest

from policies.catalog import load_all
from policies.documents import Intake, read_manifest
from policies.review import review
from policies.workloads import Reviewable, expand

# Policies whose verdict rightly depends on the field the mutation removes, and why.
DEPENDS_ON = {
    ("PLLM-L1-007", "namespace"): "a Namespace's default-deny policy is found by the Namespace's name",
    ("PLLM-L1-007", "no-metadata"): "a Namespace's default-deny policy is found by the Namespace's name",
    ("PLLM-L4-007", "namespace"): "only bindings in the serving namespaces are in scope",
    ("PLLM-L4-007", "no-metadata"): "only bindings in the serving namespaces are in scope",
    ("PLLM-L4-008", "generate-name"): "the app-client rule applies to the role named privllm-app-client",
    ("PLLM-L4-008", "no-metadata"): "the app-client rule applies to the role named privllm-app-client",
    ("PLLM-L1-006", "no-metadata"): "an internet-facing load balancer is asked for in annotations",
    ("PLLM-L6-003", "nameless-containers"): "the gateway's container is found by its name",
    ("PLLM-L6-006", "no-metadata"): "the monitored services are found by their labels",
}


def _nameless(node):
    if isinstance(node, dict):
        for field in ("containers", "initContainers", "ephemeralContainers"):
            for c in node.get(field) or []:
                if isinstance(c, dict):
                    c.pop("name", None)
        for value in node.values():
            _nameless(value)
    elif isinstance(node, list):
        for value in node:
            _nameless(value)


def mutate(doc: dict, how: str) -> dict:
    doc = copy.deepcopy(doc)
    meta = doc.setdefault("metadata", {})
    if how == "generate-name":
        meta["generateName"] = f"{meta.pop('name', 'x')}-"
    elif how == "namespace":
        meta.pop("namespace", None)
    elif how == "nameless-containers":
        _nameless(doc.get("spec"))
        _nameless(doc.get("template"))
    elif how == "no-metadata":
        labels = meta.get("labels")
        doc.pop("metadata")
        if labels and doc["kind"] in ("Service",):
            doc["metadata"] = {"labels": labels}
    return doc


MUTATIONS = ("generate-name", "namespace", "nameless-containers", "no-metadata")
CASES = [(p, path) for p in load_all() for path in sorted((p.folder / "samples" / "denied").glob("*.yaml"))]


@pytest.mark.parametrize(("policy", "sample"), CASES, ids=[f"{p.id}:{s.name}" for p, s in CASES])
def test_denied_sample_still_fails_without_optional_fields(policy, sample):
    intake = Intake()
    read_manifest(sample, intake)
    originals = [item.doc for item in intake.items if item.original]
    for how in MUTATIONS:
        if (policy.id, how) in DEPENDS_ON:
            continue
        docs = [mutate(d, how) for d in originals]
        items: list[Reviewable] = []
        for i, doc in enumerate(docs):
            expand(doc, f"{sample.name}#{i + 1}", items, lambda s: None)
        result = review(items, policies=[policy])
        assert result.errors == []
        assert result.findings, f"{how}: {policy.id} finds nothing in {sample.name}"
