"""The kit's own components that its Gatekeeper constraints must not deny, each named exactly.

An exemption is one policy for one object (kind, namespace, name), with the reason the component
needs what the policy forbids and who owns that decision. Nothing is exempted by namespace or by
label: a new object in the same namespace is judged like any other. Gatekeeper sees them as the
constraint's ``parameters.exemptions`` (see :func:`exempting`); the admission dry run evaluates
exactly that Rego.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from infra.components.model_serving import needs_leader_worker_set
from infra.naming import names
from privllm import facts
from privllm.stack import StackConfig

OWNER = "platform team (privllm maintainers)"
WILDCARD_RBAC = "PLLM-L4-001"
SECRET_READ = "PLLM-L4-003"
TOKEN_AUTOMOUNT = "PLLM-L4-004"


@dataclass(frozen=True)
class Exemption:
    policy: str
    kind: str
    namespace: str | None  # None for cluster-scoped objects
    name: str
    reason: str
    owner: str = OWNER

    def as_parameter(self) -> dict:
        return {"kind": self.kind, "namespace": self.namespace or "", "name": self.name}


_KEDA_API = "KEDA's operator, metrics server and webhooks call the Kubernetes API (scale targets, external metrics, validation)"


def admission_exemptions(cfg: StackConfig) -> list[Exemption]:
    n = names(cfg)
    out = [
        Exemption(WILDCARD_RBAC, "ClusterRole", None, "keda-operator", "KEDA scales any workload with a scale subresource (*/scale) and reads its target's kind"),
        Exemption(SECRET_READ, "ClusterRole", None, "keda-operator", "KEDA reads the Secrets a TriggerAuthentication names"),
        Exemption(SECRET_READ, "Role", n.keda_ns, "keda-operator-certs", "KEDA's operator writes and rotates its own webhook and metrics-server certificates (kedaorg-certs)"),
        Exemption(WILDCARD_RBAC, "ClusterRole", None, "gatekeeper-manager-role", "Gatekeeper creates a CRD and watches objects of every kind a ConstraintTemplate names"),
        Exemption(SECRET_READ, "ClusterRole", None, "gatekeeper-manager-role", "Gatekeeper's controller rotates its webhook certificate Secret"),
    ]
    for kind, name in (
        ("Deployment", "keda-operator"),
        ("ServiceAccount", "keda-operator"),
        ("Deployment", "keda-operator-metrics-apiserver"),
        ("ServiceAccount", "keda-metrics-server"),
        ("Deployment", "keda-admission-webhooks"),
        ("ServiceAccount", "keda-webhook"),
    ):
        out.append(Exemption(TOKEN_AUTOMOUNT, kind, n.keda_ns, name, _KEDA_API))
    if needs_leader_worker_set(cfg):
        reason = "the LeaderWorkerSet controller manages the pods of multi-node models and rotates its webhook certificate Secret"
        out += [
            Exemption(SECRET_READ, "ClusterRole", None, "lws-manager-role", reason),
            Exemption(TOKEN_AUTOMOUNT, "Deployment", n.keda_ns, "lws-controller-manager", reason),
            Exemption(TOKEN_AUTOMOUNT, "ServiceAccount", n.keda_ns, "lws-controller-manager", reason),
        ]
    if not cfg.preinstalled.prometheus:
        out += [
            Exemption(WILDCARD_RBAC, "ClusterRole", None, "prometheus-operator",
                      "the Prometheus Operator manages the objects of its CRDs, the StatefulSets, ConfigMaps and Secrets of the servers it runs, with every verb"),
            Exemption(SECRET_READ, "ClusterRole", None, "prometheus-operator",
                      "the Prometheus Operator writes the generated Prometheus configuration and web TLS material as Secrets"),
        ]
    if cfg.vault.mode == "in-cluster":
        reason = "Vault labels its pods active/standby (service_registration kubernetes) and reviews client tokens (Kubernetes auth)"
        out += [
            Exemption(TOKEN_AUTOMOUNT, "StatefulSet", n.vault_ns, facts.VAULT_SERVICE, reason),
            Exemption(TOKEN_AUTOMOUNT, "ServiceAccount", n.vault_ns, facts.VAULT_SERVICE, reason),
        ]
    return out


_RULE = 'violation contains {"msg": msg} if {\n'
_EXEMPT = """
privllm_exempt if {
\tsome e in input.parameters.exemptions
\te.kind == input.review.object.kind
\te.name == input.review.object.metadata.name
\te.namespace == object.get(input.review.object.metadata, "namespace", "")
}
"""
_PARAMETERS_SCHEMA = {
    "openAPIV3Schema": {
        "type": "object",
        "properties": {
            "exemptions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"kind": {"type": "string"}, "namespace": {"type": "string"}, "name": {"type": "string"}},
                },
            }
        },
    }
}


def exempting(template: dict, constraint: dict, exemptions: list[Exemption]) -> tuple[dict, dict]:
    """The pair with ``exemptions`` honoured: the template's violation rule skips exempted objects,
    the constraint lists them as parameters. Unchanged when there are none."""
    if not exemptions:
        return template, constraint
    template, constraint = copy.deepcopy(template), copy.deepcopy(constraint)
    source = template["spec"]["targets"][0]["code"][0]["source"]
    if source["rego"].count(_RULE) != 1:
        raise ValueError(f"ConstraintTemplate {template['metadata']['name']}: no single violation rule to add exemptions to")
    source["rego"] = source["rego"].replace(_RULE, _RULE + "\tnot privllm_exempt\n") + _EXEMPT
    template["spec"]["crd"]["spec"]["validation"] = _PARAMETERS_SCHEMA
    constraint["spec"]["parameters"] = {"exemptions": [e.as_parameter() for e in exemptions]}
    return template, constraint
