"""Third-party releases are rendered like `helm install` would, and everything the plan writes covers them."""

from __future__ import annotations

from privllm.infra.chart_source import ChartSource
from privllm.infra.plan import _render_third_party, images, status
from tests.infra.chartkit import chart_cache, empty_plan, release


def rendered_plan(tmp_path, values=None, **kw):
    plan = empty_plan()
    _render_third_party(plan, release(values, **kw), ChartSource([chart_cache(tmp_path)]))
    return plan


def test_every_object_is_rendered_into_the_release_namespace_crds_and_hooks_included(tmp_path):
    plan = rendered_plan(tmp_path, {"image": {"repository": "localhost:5001/privllm/widget"}})
    kinds = sorted(o["kind"] for o in plan.objects)
    assert kinds == ["ConfigMap", "CustomResourceDefinition", "Deployment", "Gadget", "Job", "ServiceAccount"]
    for o in plan.objects:
        ns = o["metadata"].get("namespace")
        assert ns == (None if o["kind"] == "CustomResourceDefinition" else "privllm-gateway"), o["kind"]
    assert [t["kind"] for _, t in plan.tests] == ["Pod"]
    assert not plan.partial and plan.third_party[0].origin.startswith("cache ")


def test_images_cover_init_containers_hook_jobs_and_test_pods_once_each(tmp_path):
    plan = rendered_plan(tmp_path, {"image": {"repository": "localhost:5001/privllm/widget"}, "hook": {"image": "localhost:5001/privllm/hook:1"}})
    assert images(plan) == [
        "localhost:5001/privllm/hook:1",
        "localhost:5001/privllm/widget-init:1.2.3",
        "localhost:5001/privllm/widget-test:1.2.3",
        "localhost:5001/privllm/widget:1.2.3",
    ]


def test_a_value_the_chart_ignores_is_a_problem_naming_release_and_key(tmp_path):
    plan = rendered_plan(tmp_path, {"serviceAccount": {"automountServiceAccountToken": False}})
    assert plan.problems == [
        "release test-widget (widget 1.2.3): value 'serviceAccount.automountServiceAccountToken' is set by the kit but the chart never reads it"
    ]


def test_a_missing_chart_leaves_the_plan_partial_with_the_reason_and_the_catalogue_images(tmp_path):
    plan = empty_plan()
    _render_third_party(plan, release(version="9.9.9"), ChartSource([chart_cache(tmp_path)]))
    assert plan.partial and plan.objects == []
    notice = plan.partial_notice()
    assert notice[0].startswith("PARTIAL PLAN: 1 of 1 third-party releases were not rendered")
    assert "test-widget (widget 9.9.9, namespace privllm-gateway): not in any chart cache" in notice[1]
    assert "--charts DIR" in notice[-1]
    # The only record of what an unrendered release pulls: the stack's image catalogue.
    assert plan.cfg.mirror.image_ref("keda") in images(plan)
    state = status(plan)
    assert state["complete"] is False and state["unrendered"] == ["test-widget"]
    assert state["releases"][0]["rendered"] is False and "not in any chart cache" in state["releases"][0]["reason"]


def test_rendered_nulls_are_fields_not_set_and_a_bare_equals_sign_is_a_string():
    from privllm.infra.helm import load_all

    # Charts render `volumes: null` (the API server drops it); CRD enums hold a bare "=" (PyYAML's "value" tag).
    docs = load_all("kind: Deployment\nspec:\n  volumes: null\n  list: [1, null]\n---\nenum:\n  - =\n  - '!='\n")
    assert docs == [{"kind": "Deployment", "spec": {"list": [1, None]}}, {"enum": ["=", "!="]}]
    # A List is applied as its items.
    assert load_all("apiVersion: v1\nkind: List\nitems:\n  - kind: IngressClass\n    metadata: {name: a}\n") == [
        {"kind": "IngressClass", "metadata": {"name": "a"}}
    ]
