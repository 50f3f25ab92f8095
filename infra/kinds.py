"""What the plan needs to know of Kubernetes kinds: API groups, scope, label selectors."""

from __future__ import annotations

BUILTIN_GROUPS = {
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io", "scheduling.k8s.io",
    "node.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
    "coordination.k8s.io", "discovery.k8s.io", "certificates.k8s.io", "flowcontrol.apiserver.k8s.io", "resource.k8s.io",
    "events.k8s.io",
}
CLUSTER_SCOPED = {
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass",
    "PriorityClass", "RuntimeClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "CSIDriver",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
    "IngressClass", "VolumeAttachment", "CSINode", "FlowSchema", "PriorityLevelConfiguration", "ConstraintTemplate",
}
GATEKEEPER_CONSTRAINTS = "constraints.gatekeeper.sh"


def group_of(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def crd_scopes(objects: list[dict]) -> dict[str, str]:
    return {
        (o.get("spec") or {}).get("names", {}).get("kind", ""): (o.get("spec") or {}).get("scope", "Namespaced")
        for o in objects
        if o.get("kind") == "CustomResourceDefinition"
    }


def is_cluster_scoped(obj: dict, crd_scopes: dict[str, str] | None = None) -> bool:
    kind = obj.get("kind", "")
    if kind in CLUSTER_SCOPED or group_of(obj.get("apiVersion", "")) == GATEKEEPER_CONSTRAINTS:
        return True
    return (crd_scopes or {}).get(kind) == "Cluster"


def selector_matches(selector: dict | None, labels: dict) -> bool:
    """A Kubernetes label selector (matchLabels and matchExpressions) against ``labels``."""
    if not selector:
        return True
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True
