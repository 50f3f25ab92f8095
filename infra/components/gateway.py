"""Gateway: charts/llm-gateway with values derived from StackConfig."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from privllm.infra.values import gateway_values
from privllm.paths import CHARTS
from privllm.stack import StackConfig
from privllm.stack.naming import GATEWAY_RELEASE, names


@dataclass
class GatewayArgs:
    cfg: StackConfig
    namespaces: dict | None = None
    depends_on: list | None = None


class Gateway(pulumi.ComponentResource):
    def __init__(self, name: str, args: GatewayArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:gateway:Gateway", name, None, opts)
        cfg = args.cfg
        n = names(cfg)
        deps = list(args.depends_on or [])
        if args.namespaces and n.gateway_ns in args.namespaces:
            deps.append(args.namespaces[n.gateway_ns])
        self.release = k8s.helm.v4.Chart(
            f"{name}-release",
            chart=str(CHARTS / "llm-gateway"),
            name=GATEWAY_RELEASE,
            namespace=n.gateway_ns,
            values=gateway_values(cfg),
            opts=pulumi.ResourceOptions(parent=self, depends_on=deps),
        )
        self.register_outputs({"service": f"{n.gateway_fullname}.{n.gateway_ns}.svc"})
