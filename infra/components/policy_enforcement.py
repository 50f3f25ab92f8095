"""PolicyEnforcement: Gatekeeper from the mirror, with ConstraintTemplates and Constraints
generated from policies/ — the same Rego that `privllm review` evaluates."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from infra.components.base import mirror_chart, mirror_image
from infra.exemptions import exempting
from infra.naming import names
from privllm.stack import StackConfig


@dataclass
class PolicyEnforcementArgs:
    cfg: StackConfig
    namespaces: dict | None = None
    # (ConstraintTemplate, Constraint) pairs as Kubernetes objects.
    constraints: list[tuple[dict, dict]] = field(default_factory=list)


class PolicyEnforcement(pulumi.ComponentResource):
    def __init__(self, name: str, args: PolicyEnforcementArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:policy_enforcement:PolicyEnforcement", name, None, opts)
        cfg = args.cfg
        n = names(cfg)
        ns_dep = [args.namespaces[n.policy_ns]] if args.namespaces and n.policy_ns in args.namespaces else []
        image = mirror_image(cfg, "gatekeeper")
        crds = mirror_image(cfg, "gatekeeper-crds")
        gatekeeper = mirror_chart(
            f"{name}-gatekeeper",
            cfg,
            "gatekeeper",
            namespace=n.policy_ns,
            release="gatekeeper",
            values={
                "image": {"repository": image["repository"], "release": image["tag"], "crdRepository": crds["repository"]},
                # Fail closed: when Gatekeeper cannot answer, nothing it would judge is admitted. Its own
                # namespace and the exempt node-agent namespaces (labelled by the Platform) are not sent to it.
                "validatingWebhookFailurePolicy": "Fail",
                # The Platform labels namespaces itself; the post-install probe waits for the webhook.
                "postInstall": {"labelNamespace": {"enabled": False}, "probeWebhook": {"image": mirror_image(cfg, "gatekeeper-probe")}},
                "postUpgrade": {"labelNamespace": {"enabled": False}},
                "enableExternalData": False,
                "auditInterval": 60,
                "controllerManager": {"exemptNamespaces": list(names(cfg).node_agent_namespaces)},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=ns_dep),
        )
        for template, constraint in args.constraints:
            # The stack's review exemptions hold for admission too (one list, with reasons and owners).
            policy_id = template["metadata"]["annotations"]["privllm.io/policy-id"]
            template, constraint = exempting(template, constraint, [e for e in cfg.review.exemptions if e.policy == policy_id])
            t = k8s.apiextensions.CustomResource(
                f"{name}-template-{template['metadata']['name']}",
                api_version=template["apiVersion"],
                kind=template["kind"],
                metadata=template["metadata"],
                spec=template["spec"],
                opts=pulumi.ResourceOptions(parent=self, depends_on=[gatekeeper]),
            )
            k8s.apiextensions.CustomResource(
                f"{name}-constraint-{constraint['metadata']['name']}",
                api_version=constraint["apiVersion"],
                kind=constraint["kind"],
                metadata=constraint["metadata"],
                spec=constraint["spec"],
                opts=pulumi.ResourceOptions(parent=self, depends_on=[t]),
            )
        self.register_outputs({"constraints": len(args.constraints)})
