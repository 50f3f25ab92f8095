"""`privllm plan`: the real Pulumi program under Pulumi's mock engine, offline.

Every resource the program registers is recorded with its inputs. Kubernetes objects become
manifests; our own charts are rendered by Helm v4 with the exact values the program passed;
third-party chart releases and cloud resources go to an inventory (cloud.json).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import yaml

from privllm import helm
from privllm.kube import containers, pod_specs, schema_errors
from privllm.paths import CHARTS
from privllm.stack import StackConfig

KNOWN_AFTER_APPLY = "(known after apply)"
_COMPUTED = {
    "aws:eks/cluster:Cluster": {"endpoint": KNOWN_AFTER_APPLY, "certificateAuthority": {"data": KNOWN_AFTER_APPLY}},
    "aws:ec2/launchTemplate:LaunchTemplate": {"latestVersion": 1},
}


class PlanError(Exception):
    """The plan could not be produced or is not valid; the message says what and where."""


@dataclass
class Recorded:
    type: str
    name: str
    component: str
    inputs: dict


@dataclass
class Plan:
    stack: str
    cfg: StackConfig
    manifests: list[tuple[str, dict]] = field(default_factory=list)  # (component, object)
    tests: list[tuple[str, dict]] = field(default_factory=list)
    cloud: list[Recorded] = field(default_factory=list)
    releases: list[Recorded] = field(default_factory=list)  # third-party charts
    components: Counter = field(default_factory=Counter)

    @property
    def objects(self) -> list[dict]:
        return [o for _, o in self.manifests]


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        state = dict(args.inputs)
        state.update(_COMPUTED.get(args.typ, {}))
        state.setdefault("arn", f"arn:{KNOWN_AFTER_APPLY}:{args.name}")
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs):
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": "ACCOUNT_ID", "arn": KNOWN_AFTER_APPLY, "userId": KNOWN_AFTER_APPLY, "id": "ACCOUNT_ID"}
        raise PlanError(f"the program called {args.token}, which the offline plan does not answer")


def _component(urn: str) -> str:
    """The privllm component a resource belongs to, from the type chain in its URN."""
    chain = urn.split("::")[2].split("$")
    owners = [t for t in chain[:-1] if t.startswith("privllm:")]
    return owners[-1].rsplit(":", 1)[1] if owners else chain[-1].rsplit(":", 1)[-1]


def _plain(value):
    """Mock inputs as plain JSON-able data (no Pulumi secrets or unknowns)."""
    return json.loads(json.dumps(value, default=str))


def record(cfg: StackConfig, stack: str) -> list[Recorded]:
    """Run the Pulumi program under mocks and return what it registered."""
    monitor = pulumi.runtime.mocks.MockMonitor(_Mocks())
    pulumi.runtime.set_mocks(_Mocks(), project="privllm", stack=stack, preview=False, monitor=monitor)
    from infra.program import deploy  # after the mocks: nothing may reach a real engine

    @pulumi.runtime.test
    def run():
        return deploy(cfg)

    run()
    out = []
    for urn, reg in monitor.resources.items():
        typ = urn.split("::")[2].split("$")[-1]
        name = urn.split("::")[-1]
        out.append(Recorded(typ, name, _component(urn), helm.normalise(_plain(reg.state))))
    return out


def _is_ours(chart: str) -> bool:
    try:
        return Path(chart).resolve().parent == CHARTS.resolve()
    except (OSError, ValueError):
        return False


def build(cfg: StackConfig, stack: str) -> Plan:
    plan = Plan(stack, cfg)
    for r in record(cfg, stack):
        if r.type.startswith("privllm:"):
            plan.components[r.type.rsplit(":", 1)[1]] += 0
            continue
        if r.type.startswith("pulumi:providers:"):
            continue
        if r.type == "kubernetes:helm.sh/v4:Chart":
            chart = r.inputs.get("chart", "")
            if _is_ours(chart):
                rendered = helm.render(Path(chart).name, r.inputs.get("values") or {}, release=r.inputs["name"], namespace=r.inputs["namespace"])
                plan.manifests += [(r.component, o) for o in rendered.objects]
                plan.tests += [(r.component, o) for o in rendered.tests]
                plan.components[r.component] += len(rendered.objects)
            else:
                plan.releases.append(r)
                plan.components[r.component] += 1
            continue
        if r.type.startswith("kubernetes:"):
            obj = {k: v for k, v in r.inputs.items() if k not in ("arn",)}
            plan.manifests.append((r.component, obj))
        else:
            plan.cloud.append(r)
        plan.components[r.component] += 1
    invalid = []
    for component, obj in plan.manifests:
        for err in schema_errors(obj, cfg.target.kubernetes_version):
            invalid.append(f"{component}: {obj.get('kind')}/{obj.get('metadata', {}).get('name')}: {err}")
    if invalid:
        raise PlanError("planned objects are not valid Kubernetes " + cfg.target.kubernetes_version + ":\n  " + "\n  ".join(invalid))
    return plan


def images(plan: Plan) -> list[str]:
    """Every image the deployment pulls: rendered pods, and the catalogue images third-party charts use."""
    found = {c["image"] for o in plan.objects + [t for _, t in plan.tests] for spec in pod_specs(o) for c in containers(spec)}
    found |= {plan.cfg.mirror.image_ref(key) for key in plan.cfg.mirror.images}
    return sorted(found)


def _filename(obj: dict) -> str:
    meta = obj.get("metadata", {})
    ns = meta.get("namespace") or "_cluster"
    return f"{ns}/{obj.get('kind', 'Object').lower()}-{meta.get('name', 'unnamed')}.yaml"


def cloud_inventory(plan: Plan) -> dict:
    """Cloud resources and third-party chart releases with their inputs (cloud.json)."""
    return {
        "stack": plan.stack,
        "target": plan.cfg.target.kind,
        "resources": [{"type": r.type, "name": r.name, "component": r.component, "inputs": r.inputs} for r in plan.cloud],
        "helm_releases": [
            {
                "name": r.name,
                "component": r.component,
                "chart": r.inputs.get("chart"),
                "version": r.inputs.get("version"),
                "repository": (r.inputs.get("repositoryOpts") or {}).get("repo"),
                "namespace": r.inputs.get("namespace"),
                "values": r.inputs.get("values"),
            }
            for r in plan.releases
        ],
    }


def write(plan: Plan, out: Path) -> dict[str, Path]:
    """Write the plan; the directory is replaced whole, so nothing stale survives."""
    from infra.flows import flows, flows_markdown

    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "manifests").mkdir(parents=True)
    for _component, obj in plan.manifests + plan.tests:
        path = staging / "manifests" / _filename(obj)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as f:
            if f.tell():
                f.write("---\n")
            yaml.safe_dump(obj, f, sort_keys=False)
    cloud = cloud_inventory(plan)
    (staging / "cloud.json").write_text(json.dumps(cloud, indent=2, sort_keys=True) + "\n")
    (staging / "images.txt").write_text("\n".join(images(plan)) + "\n")
    (staging / "flows.md").write_text(flows_markdown(flows(plan.objects)))
    (staging / "summary.txt").write_text(summary(plan, out))
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return {"manifests": out / "manifests", "cloud": out / "cloud.json", "images": out / "images.txt", "flows": out / "flows.md", "summary": out / "summary.txt"}


def summary(plan: Plan, out: Path) -> str:
    from infra.flows import flows

    cfg = plan.cfg
    lines = [f"privllm plan: stack {plan.stack} ({cfg.target.kind}, Kubernetes {cfg.target.kubernetes_version}, cluster {cfg.target.cluster_name})", ""]
    lines.append("Resources per component:")
    for component, count in sorted(plan.components.items()):
        lines.append(f"  {component:<20} {count}")
    lines.append(
        f"  total: {len(plan.manifests)} Kubernetes objects, {len(plan.cloud)} cloud resources, {len(plan.releases)} third-party chart releases"
    )
    lines += ["", "GPU pools:"]
    for p in cfg.gpu_pools:
        lines.append(f"  {p.name:<10} {p.instance_type or '-':<15} {p.gpus_per_node} x {p.gpu}, {p.min_nodes}-{p.max_nodes} nodes")
    if not cfg.gpu_pools:
        lines.append("  none (models run on the CPU stand-in)")
    lines += ["", "Models:"]
    for m in cfg.models:
        scale = f"{m.autoscaling.min_replicas}-{m.autoscaling.max_replicas} replicas" + (" (scale to zero)" if m.autoscaling.scale_to_zero else "")
        lines.append(
            f"  {m.served_name:<32} {m.quantization:<6} TP={m.tensor_parallel} PP={m.pipeline_parallel} pool={m.pool or 'cpu-standin'} "
            f"{scale} {m.data_classification}{' HIGH-RISK' if m.high_risk else ''}"
        )
    by_pair = defaultdict(set)
    for f in flows(plan.objects):
        by_pair[(f.source, f.destination)].update(f.ports.split(","))
    lines += ["", f"Allowed network flows ({len(by_pair)}, from the rendered NetworkPolicies):"]
    for (src, dst), ports in sorted(by_pair.items()):
        lines.append(f"  {src} -> {dst}  [{','.join(sorted(ports))}]")
    lines += [
        "",
        f"Written to {out}/:",
        "  manifests/   every Kubernetes object, one file each, by namespace",
        "  cloud.json   cloud resources and third-party chart releases with their inputs",
        "  images.txt   every image to mirror",
        "  flows.md     who may talk to whom (table and Mermaid diagram)",
        "",
    ]
    return "\n".join(lines)
