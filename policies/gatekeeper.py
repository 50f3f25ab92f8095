"""The same Rego as Gatekeeper ConstraintTemplates and Constraints (Rego v1 through the
``code`` engine field). Policies that need the whole reviewed set (data.inventory), the
stack, or cloud resources stay review-only: Gatekeeper sees one admission object at a time."""

from __future__ import annotations

import re

from infra.naming import names
from policies.catalog import Policy, library_modules, load_all
from policies.params import PARAMS_SCHEMA
from privllm.stack import StackConfig

API_GROUPS = {
    "Pod": "",
    "PodTemplate": "",
    "ReplicationController": "",
    "Service": "",
    "ServiceAccount": "",
    "Secret": "",
    "ConfigMap": "",
    "Namespace": "",
    "Deployment": "apps",
    "StatefulSet": "apps",
    "DaemonSet": "apps",
    "ReplicaSet": "apps",
    "Job": "batch",
    "CronJob": "batch",
    "NetworkPolicy": "networking.k8s.io",
    "Ingress": "networking.k8s.io",
    "Gateway": "gateway.networking.k8s.io",
    "HTTPRoute": "gateway.networking.k8s.io",
    "GRPCRoute": "gateway.networking.k8s.io",
    "TLSRoute": "gateway.networking.k8s.io",
    "TCPRoute": "gateway.networking.k8s.io",
    "Role": "rbac.authorization.k8s.io",
    "ClusterRole": "rbac.authorization.k8s.io",
    "RoleBinding": "rbac.authorization.k8s.io",
    "ClusterRoleBinding": "rbac.authorization.k8s.io",
    "LeaderWorkerSet": "leaderworkerset.x-k8s.io",
    "PrometheusRule": "monitoring.coreos.com",
}


def enforceable(policy: Policy) -> bool:
    """Gatekeeper admits Kubernetes objects; a policy that also reads the kit's pseudo-kinds
    (HelmRelease, CloudResource, StackConfig) is enforced on its Kubernetes kinds."""
    return policy.gatekeeper and any(kind in API_GROUPS for kind in policy.kinds)


def _as_lib(text: str) -> str:
    # Gatekeeper only accepts extra modules under the "lib." package prefix.
    text = re.sub(r"^package privllm\.", "package lib.privllm.", text, flags=re.MULTILINE)
    return text.replace("data.privllm.", "data.lib.privllm.")


def template_kind(policy: Policy) -> str:
    return "Pllm" + policy.id.removeprefix("PLLM-").replace("-", "")


def template(policy: Policy, library: dict[str, str]) -> dict:
    kind = template_kind(policy)
    rego = "\n".join(
        [
            f"package {kind.lower()}",
            "",
            "import rego.v1",
            "",
            f"import data.lib.{policy.package} as policy",
            "",
            "violation contains {\"msg\": msg} if {",
            "\tparams := object.get(input, \"parameters\", {})",
            "\tsome msg in policy.deny with input as input.review.object with data.lib.privllm.params as params",
            "}",
            "",
        ]
    )
    return {
        "apiVersion": "templates.gatekeeper.sh/v1",
        "kind": "ConstraintTemplate",
        "metadata": {
            "name": kind.lower(),
            "annotations": {"privllm.io/policy-id": policy.id, "description": policy.title},
        },
        "spec": {
            "crd": {"spec": {"names": {"kind": kind}, "validation": {"openAPIV3Schema": PARAMS_SCHEMA}}},
            "targets": [
                {
                    "target": "admission.k8s.gatekeeper.sh",
                    "code": [
                        {
                            "engine": "Rego",
                            "source": {
                                "version": "v1",
                                "rego": rego,
                                "libs": [_as_lib(text) for text in library.values()] + [_as_lib(policy.rego)],
                            },
                        }
                    ],
                }
            ],
        },
    }


def constraint(policy: Policy, namespaces: list[str] | None, parameters: dict | None = None) -> dict:
    kinds: dict[str, list[str]] = {}
    for k in policy.kinds:
        if k in API_GROUPS:
            kinds.setdefault(API_GROUPS[k], []).append(k)
    match: dict = {"kinds": [{"apiGroups": [g], "kinds": ks} for g, ks in sorted(kinds.items())]}
    if namespaces and "Namespace" not in policy.kinds:
        match["namespaces"] = namespaces
    return {
        "apiVersion": "constraints.gatekeeper.sh/v1beta1",
        "kind": template_kind(policy),
        "metadata": {"name": policy.id.lower(), "annotations": {"privllm.io/policy-id": policy.id}},
        "spec": {"enforcementAction": "deny", "match": match, **({"parameters": parameters} if parameters else {})},
    }


def export(namespaces: list[str] | None = None, parameters: dict | None = None) -> list[tuple[dict, dict]]:
    library = library_modules()
    return [(template(p, library), constraint(p, namespaces, parameters)) for p in load_all() if enforceable(p)]


def constraints_for(cfg: StackConfig) -> list[tuple[dict, dict]]:
    """Constraints the Platform installs: enforced in the kit's restricted namespaces."""
    from policies.params import review_params

    return export(list(names(cfg).workload_namespaces), review_params(cfg))
