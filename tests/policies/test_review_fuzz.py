"""Property: whatever structure a manifest holds, `privllm review` ends with an exit code and
a message, never a traceback (issue 19, hostile input)."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.workloads import POD_KINDS
from tests.policies.clirun import review_dir

KINDS = [*POD_KINDS, "Service", "Ingress", "Gateway", "HTTPRoute", "NetworkPolicy", "Role", "ClusterRoleBinding", "ConfigMap", "Namespace", "List", "InferenceService", "PodList"]
FIELDS = ["metadata", "spec", "template", "containers", "image", "securityContext", "items", "rules", "subjects", "ingress", "from", "name", "env", "annotations"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=12), st.sampled_from(["0.0.0.0/0", "*", "vllm/vllm-openai:latest", "system:anonymous"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), inner, max_size=4)), max_leaves=25)
objects = st.fixed_dictionaries(
    {"apiVersion": st.sampled_from(["v1", "apps/v1", "serving.kserve.io/v1beta1", "x.example/v1"]) | values, "kind": st.sampled_from(KINDS) | values},
    optional={"metadata": values, "spec": values, "items": st.lists(values, max_size=3), "rules": values, "template": values},
)
documents = st.lists(st.one_of(objects, values), min_size=1, max_size=3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(docs=documents, as_json=st.booleans())
def test_malformed_structures_end_cleanly(tmp_path_factory, docs, as_json):
    folder = tmp_path_factory.mktemp("fuzz")
    if as_json:
        (folder / "doc.json").write_text(json.dumps(docs[0]))
    else:
        (folder / "doc.yaml").write_text(yaml.safe_dump_all(docs))
    outcome = review_dir(folder, folder.parent / f"{folder.name}.json")
    assert outcome.code in (0, 1, 2)
    assert "Traceback" not in outcome.output
    if outcome.code == 2:
        assert "error:" in outcome.output
    else:
        assert outcome.report is not None and outcome.report["errors"] == []
