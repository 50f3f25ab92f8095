"""The admission dry run: the kit's Gatekeeper constraints, with Gatekeeper's match semantics,
through the real Rego engine, against planned objects."""

from __future__ import annotations

import pytest

from infra.admission import IGNORE_LABEL, dry_run
from infra.exemptions import exempting
from policies.gatekeeper import export
from privllm.stack.model import ReviewExemption

TOKEN_AUTOMOUNT, WILDCARD_RBAC = "PLLM-L4-004", "PLLM-L4-001"


def pair(policy_id: str, namespaces: list[str]):
    return next((t, c) for t, c in export(namespaces) if t["metadata"]["annotations"]["privllm.io/policy-id"] == policy_id)


def namespace(name: str, **labels):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def account(name: str, ns: str):
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}}


def wildcard_role(name: str):
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name},
            "rules": [{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}]}


def gatekeeper(exempt: list[str], failure_policy: str = "Fail", release_ns: str = "gk"):
    manager = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "gatekeeper-controller-manager", "namespace": release_ns},
               "spec": {"template": {"spec": {"containers": [{"name": "manager", "image": "x",
                                                               "args": [f"--exempt-namespace={release_ns}"] + [f"--exempt-namespace={n}" for n in exempt]}]}}}}
    webhook = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
               "metadata": {"name": "gatekeeper-validating-webhook-configuration"},
               "webhooks": [{"name": "validation.gatekeeper.sh", "failurePolicy": failure_policy, "namespaceSelector": {"matchExpressions": [
                   {"key": IGNORE_LABEL, "operator": "DoesNotExist"},
                   {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": [release_ns]}]}}]}
    return [manager, webhook]


def denied(messages: list[str]) -> list[str]:
    return sorted(m.split(" denies ", 1)[1].split(":", 1)[0] for m in messages if m.startswith("admission:"))


def test_a_constraint_judges_matching_kinds_in_its_namespaces_only():
    objects = [*pair(TOKEN_AUTOMOUNT, ["apps"]), namespace("apps"), namespace("other"), account("a", "apps"), account("b", "other")]
    assert denied(dry_run(objects)) == ["ServiceAccount apps/a"]


def test_cluster_scoped_objects_are_judged_whatever_the_namespace_list_says():
    objects = [*pair(WILDCARD_RBAC, ["apps"]), namespace("apps"), wildcard_role("controller")]
    assert denied(dry_run(objects)) == ["ClusterRole controller"]


def test_excluded_namespaces_label_selectors_and_scope_narrow_the_match():
    template, constraint = pair(TOKEN_AUTOMOUNT, ["apps", "more"])
    constraint["spec"]["match"] |= {"excludedNamespaces": ["mo*"], "labelSelector": {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["system"]}]}}
    objects = [template, constraint, account("a", "apps"), account("b", "more"),
               {**account("c", "apps"), "metadata": {"name": "c", "namespace": "apps", "labels": {"tier": "system"}}}]
    assert denied(dry_run(objects)) == ["ServiceAccount apps/a"]
    constraint["spec"]["match"]["scope"] = "Cluster"
    assert denied(dry_run(objects)) == []


def test_the_ignore_label_keeps_the_webhook_away_and_gatekeeper_exempts_its_own_namespace():
    pair_ = pair(TOKEN_AUTOMOUNT, ["apps", "agents", "gk"])
    objects = [*pair_, *gatekeeper(exempt=["agents"]), namespace("apps"), namespace("agents", **{IGNORE_LABEL: "true"}), namespace("gk"),
               account("a", "apps"), account("b", "agents"), account("c", "gk")]
    assert denied(dry_run(objects)) == ["ServiceAccount apps/a"]
    # Without Gatekeeper's rendered webhook the chart's default selector still honours the label.
    assert denied(dry_run([*pair_, namespace("agents", **{IGNORE_LABEL: "true"}), account("b", "agents")])) == []


def test_gatekeeper_must_fail_closed_and_may_not_be_asked_to_honour_a_label_it_does_not_allow():
    objects = [*gatekeeper(exempt=[], failure_policy="Ignore"), namespace("apps", **{IGNORE_LABEL: "true"})]
    assert dry_run(objects) == [
        "ValidatingWebhookConfiguration gatekeeper-validating-webhook-configuration: webhook validation.gatekeeper.sh fails open "
        "(failurePolicy Ignore); set the chart's validatingWebhookFailurePolicy to Fail",
        f"Namespace apps: carries {IGNORE_LABEL} but Gatekeeper does not exempt it (controllerManager.exemptNamespaces); Gatekeeper would refuse the label",
    ]


def test_an_exemption_spares_exactly_the_objects_its_globs_match():
    template, constraint = pair(TOKEN_AUTOMOUNT, ["apps"])
    exemption = ReviewExemption(policy=TOKEN_AUTOMOUNT, kind="Service*", namespace="apps", name="operator", reason="it calls the Kubernetes API", owner="platform")
    template, constraint = exempting(template, constraint, [exemption])
    objects = [template, constraint, account("operator", "apps"), account("other", "apps"), {**account("operator", "x")}]
    constraint["spec"]["match"].pop("namespaces")
    assert denied(dry_run(objects)) == ["ServiceAccount apps/other", "ServiceAccount x/operator"]


def test_exempting_refuses_a_template_it_cannot_read():
    template, constraint = pair(TOKEN_AUTOMOUNT, ["apps"])
    template["spec"]["targets"][0]["code"][0]["source"]["rego"] = "package x\n"
    with pytest.raises(ValueError, match="no single violation rule"):
        exempting(template, constraint, [ReviewExemption(policy=TOKEN_AUTOMOUNT, name="a", reason="a reason given", owner="platform")])


def test_the_shipped_plans_admit_every_planned_object(plans):
    for name, plan in plans.items():
        assert [p for p in plan.problems if p.startswith(("admission:", "Constraint ", "ValidatingWebhook"))] == [], name


def test_cluster_scoped_objects_match_an_any_namespace_exemption_and_other_parameters_stay():
    template, constraint = pair(WILDCARD_RBAC, ["apps"])
    constraint["spec"]["parameters"] = {"mirror": "registry.example"}
    exemption = ReviewExemption(policy=WILDCARD_RBAC, kind="ClusterRole", name="keda-*", reason="scales any workload kind", owner="platform")
    template, constraint = exempting(template, constraint, [exemption])
    assert constraint["spec"]["parameters"]["mirror"] == "registry.example"
    assert "exemptions" in template["spec"]["crd"]["spec"]["validation"]["openAPIV3Schema"]["properties"]
    assert denied(dry_run([template, constraint, wildcard_role("keda-operator"), wildcard_role("other")])) == ["ClusterRole other"]
