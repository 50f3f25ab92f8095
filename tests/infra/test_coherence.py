"""Coherence: every reference in the plan resolves, each failure names its object."""

from __future__ import annotations

from privllm.infra.coherence import check
from privllm.infra.plan import Release
from tests.infra.chartkit import empty_plan, release

NS = "privllm-gateway"


def pod(name="app", ns=NS, **spec):
    spec.setdefault("containers", [{"name": "c", "image": "localhost:5001/privllm/redis:7.4.1"}])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": {"app": name}}, "spec": spec}


def problems_of(*objects, stack="local", partial_ns=None):
    plan = empty_plan(stack)
    plan.manifests = [("Test", o) for o in objects]
    if partial_ns:
        plan.third_party.append(Release(release(), "widget", "1.2.3", "oci://x", "test-widget", partial_ns, reason="missing"))
    check(plan)
    return plan


def test_a_custom_resource_without_its_crd_is_named():
    gadget = {"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {"name": "g", "namespace": NS}}
    assert problems_of(gadget).problems == [
        f"Gadget {NS}/g: no CustomResourceDefinition for example.org/v1 Gadget is planned or declared in privllm:preinstalled.crds"
    ]
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.org"},
        "spec": {"group": "example.org", "names": {"kind": "Gadget"}, "versions": [{"name": "v1"}]},
    }
    assert problems_of(gadget, crd).problems == []


def test_constraint_kinds_come_from_their_constraint_templates():
    template = {"apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate", "metadata": {"name": "x"},
                "spec": {"crd": {"spec": {"names": {"kind": "PllmX"}}}, "targets": []}}
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "constrainttemplates.templates.gatekeeper.sh"},
           "spec": {"group": "templates.gatekeeper.sh", "names": {"kind": "ConstraintTemplate"}, "versions": [{"name": "v1"}]}}
    constraint = {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "PllmX", "metadata": {"name": "x"}, "spec": {}}
    assert problems_of(template, crd, constraint).problems == ["Constraint x: ConstraintTemplate x has no Rego package to evaluate"]
    assert problems_of(constraint).problems[0].startswith("PllmX x: no CustomResourceDefinition for constraints.gatekeeper.sh/v1beta1 PllmX")


def test_classes_service_accounts_and_mounted_objects_must_resolve():
    p = pod(
        runtimeClassName="gpu", priorityClassName="urgent", serviceAccountName="robot",
        volumes=[{"name": "a", "configMap": {"name": "cm"}}, {"name": "b", "secret": {"secretName": "s"}},
                 {"name": "c", "persistentVolumeClaim": {"claimName": "pvc"}}, {"name": "d", "secret": {"secretName": "opt", "optional": True}}],
    )
    found = problems_of(p).problems
    assert found == [
        f"Pod {NS}/app: runtimeClassName 'gpu' names no planned or pre-installed RuntimeClass",
        f"Pod {NS}/app: priorityClassName 'urgent' names no planned or pre-installed PriorityClass",
        f"Pod {NS}/app: serviceAccountName 'robot' names no ServiceAccount in {NS}",
        f"Pod {NS}/app: volume a names ConfigMap {NS}/cm, which is neither planned nor declared pre-existing",
        f"Pod {NS}/app: volume b names Secret {NS}/s, which is neither planned nor declared pre-existing",
        f"Pod {NS}/app: volume c names PersistentVolumeClaim {NS}/pvc, which is neither planned nor declared pre-existing",
    ]
    planned = [
        {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "gpu"}, "handler": "nvidia"},
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "urgent"}, "value": 1},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot", "namespace": NS}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": NS}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": NS}},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "pvc", "namespace": NS}, "spec": {"storageClassName": "standard"}},
    ]
    assert problems_of(p, *planned).problems == []


def test_the_stack_declares_what_exists_before_the_kit():
    # The local stack declares Secret privllm-vault/vault-tls and kind's default StorageClass.
    p = pod(ns="privllm-vault", volumes=[{"name": "tls", "secret": {"secretName": "vault-tls"}}])
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "privllm-vault"}, "spec": {}}
    assert problems_of(p, claim).problems == []
    # The onprem stack declares neither (its default StorageClass is its own, and its Vault is external).
    claim["spec"]["storageClassName"] = "gold"
    found = [x for x in problems_of(p, claim, stack="onprem").problems if "not from the mirror" not in x]
    assert sorted(found) == [
        "PersistentVolumeClaim privllm-vault/data: the claim storageClassName 'gold' names no planned or pre-installed StorageClass",
        "Pod privllm-vault/app: volume tls names Secret privllm-vault/vault-tls, which is neither planned nor declared pre-existing",
    ]


def test_in_a_partial_plan_what_an_unrendered_release_could_provide_is_unverified_not_a_problem():
    p = pod(serviceAccountName="robot")
    plan = problems_of(p, partial_ns=NS)
    assert plan.problems == [] and plan.unverified == [f"Pod {NS}/app: serviceAccountName 'robot' names no ServiceAccount in {NS}"]
    # An unrendered release elsewhere settles nothing here.
    assert problems_of(p, partial_ns="privllm-serving").problems == plan.unverified


def test_a_secret_provider_class_needs_a_bootstrapped_role_bound_to_the_pod_and_granting_its_paths():
    spc = {"apiVersion": "secrets-store.csi.x-k8s.io/v1", "kind": "SecretProviderClass", "metadata": {"name": "tls", "namespace": "privllm-observability"},
           "spec": {"provider": "vault", "parameters": {"roleName": "otel-collector",
                                                        "objects": "- objectName: k\n  secretPath: privllm/data/gateway/keyring\n  secretKey: k\n"}}}
    mounting = pod(ns="privllm-observability", serviceAccountName="someone-else",
                   volumes=[{"name": "s", "csi": {"driver": "secrets-store.csi.k8s.io", "volumeAttributes": {"secretProviderClass": "tls"}}}])
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "someone-else", "namespace": "privllm-observability"}}
    found = [p for p in problems_of(spc, mounting, sa).problems if "CustomResourceDefinition" not in p]
    assert found == [
        "SecretProviderClass privllm-observability/tls: object 'k' reads privllm/data/gateway/keyring, which role 'otel-collector''s policies do not grant",
        "Pod privllm-observability/app: mounts SecretProviderClass tls as service account 'someone-else', but Vault role 'otel-collector' binds only ['otel-collector']",
    ]
    spc["spec"]["parameters"]["roleName"] = "nobody"
    assert any("Vault role 'nobody' is not one `privllm vault bootstrap` creates" in p for p in problems_of(spc).problems)


def test_images_must_come_from_the_mirror_at_a_fixed_version():
    p = pod(containers=[{"name": "a", "image": "docker.io/library/redis:7"}, {"name": "b", "image": "localhost:5001/privllm/redis"}])
    assert problems_of(p).problems == [
        f"Pod {NS}/app: container a pulls 'docker.io/library/redis:7', not from the mirror localhost:5001/privllm/",
        f"Pod {NS}/app: container b pulls 'localhost:5001/privllm/redis', not a fixed version",
    ]


def test_a_network_policy_that_selects_no_pod_is_named():
    netpol = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "collector", "namespace": NS},
              "spec": {"podSelector": {"matchLabels": {"app": "otel-collector"}}, "policyTypes": ["Ingress"]}}
    found = problems_of(pod(), netpol).problems
    assert found == [f"NetworkPolicy {NS}/collector: its podSelector {{'matchLabels': {{'app': 'otel-collector'}}}} selects no planned pod in {NS}, so the flows it allows never happen"]
    assert problems_of(pod(name="otel-collector"), netpol).problems == []


def test_a_start_command_writing_under_a_read_only_root_needs_a_volume_there():
    container = {"name": "vault", "image": "localhost:5001/privllm/vault:2.0.4", "securityContext": {"readOnlyRootFilesystem": True},
                 "command": ["/bin/sh", "-ec"], "args": ["cp /vault/config/x.hcl /tmp/storageconfig.hcl; vault server -config=/tmp/storageconfig.hcl"]}
    found = problems_of(pod(containers=[container])).problems
    assert found == [f"Pod {NS}/app: container vault writes /tmp/storageconfig.hcl at start, but its root filesystem is read-only and no volume is mounted there"]
    container["volumeMounts"] = [{"name": "tmp", "mountPath": "/tmp"}]
    assert problems_of(pod(containers=[container], volumes=[{"name": "tmp", "emptyDir": {}}])).problems == []


def test_a_keda_trigger_must_query_a_planned_or_declared_prometheus():
    scaled = {"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": {"name": "m", "namespace": "privllm-serving"},
              "spec": {"triggers": [{"type": "prometheus", "metadata": {"serverAddress": "http://prometheus-operated.monitoring.svc:9090", "query": "1"}}]}}
    found = [p for p in problems_of(scaled).problems if "trigger" in p]
    assert found == ["ScaledObject privllm-serving/m: its prometheus trigger queries http://prometheus-operated.monitoring.svc:9090, "
                     "which is neither a planned Service nor privllm:preinstalled.prometheus.address"]
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "prometheus-operated", "namespace": "monitoring"}}
    assert [p for p in problems_of(scaled, service).problems if "trigger" in p] == []
    # onprem declares its Prometheus at exactly this address.
    assert [p for p in problems_of(scaled, stack="onprem").problems if "trigger" in p] == []


def test_the_roles_checked_are_the_roles_vault_bootstrap_creates():
    from privllm.infra.coherence import _vault_roles
    from privllm.vault import kubernetes_roles

    for stack in ("reference", "local", "onprem"):
        cfg = empty_plan(stack).cfg
        assert _vault_roles(cfg)[0] == kubernetes_roles(cfg), stack
