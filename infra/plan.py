"""`privllm plan`: the real Pulumi program under Pulumi's mock engine, offline.

Every resource the program registers is recorded with its inputs. Kubernetes objects become
manifests; every Helm release is rendered by Helm v4 with the exact values the program passed:
our own charts from charts/, third-party charts at their pinned versions from a chart cache or
the stack's chart mirror (infra/chart_source.py). A release whose chart cannot be had leaves the
plan partial, and every output says so. Cloud resources and the releases go to cloud.json.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import yaml

from privllm.infra import helm
from privllm.infra.chart_source import HOW_TO_PROVIDE, ChartSource
from privllm.infra.kube import containers, is_known_crd, pod_specs, schema_errors
from privllm.paths import CHARTS
from privllm.policies.plan_status import PLAN_STATUS
from privllm.stack import StackConfig

KNOWN_AFTER_APPLY = "(known after apply)"
_COMPUTED: dict[str, dict] = {
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
class Release:
    """A third-party chart release: rendered from ``origin``, or not rendered for ``reason``."""

    recorded: Recorded
    chart: str
    version: str
    repository: str
    release: str
    namespace: str
    origin: str = ""
    reason: str = ""
    objects: list[dict] = field(default_factory=list)  # what it renders (hooks and tests included)

    @property
    def rendered(self) -> bool:
        return not self.reason


@dataclass
class Plan:
    stack: str
    cfg: StackConfig
    manifests: list[tuple[str, dict]] = field(default_factory=list)  # (component, object)
    tests: list[tuple[str, dict]] = field(default_factory=list)
    cloud: list[Recorded] = field(default_factory=list)
    releases: list[Recorded] = field(default_factory=list)  # third-party charts
    third_party: list[Release] = field(default_factory=list)
    components: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # coherence, admission, ignored values: each fails the plan
    unverified: list[str] = field(default_factory=list)  # checks an unrendered release may settle

    @property
    def objects(self) -> list[dict]:
        return [o for _, o in self.manifests]

    @property
    def unrendered(self) -> list[Release]:
        return [r for r in self.third_party if not r.rendered]

    @property
    def partial(self) -> bool:
        return bool(self.unrendered)

    def partial_notice(self) -> list[str]:
        """What a partial plan says in every output: the releases it did not see, and how to provide them."""
        if not self.partial:
            return []
        lines = [f"PARTIAL PLAN: {len(self.unrendered)} of {len(self.third_party)} third-party releases were not rendered,"
                 " so their objects, images and flows are missing here and unreviewed:"]
        lines += [f"  {r.release} ({r.chart} {r.version}, namespace {r.namespace}): {r.reason}" for r in self.unrendered]
        lines.append(f"To complete it: {HOW_TO_PROVIDE}.")
        return lines


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        state: dict = dict(args.inputs)
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
    from privllm.infra.program import deploy  # after the mocks: nothing may reach a real engine

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


def _chart_ref(r: Recorded, cfg: StackConfig) -> tuple[str, str, str]:
    """(chart name, version, repository) of a third-party release as the program recorded it."""
    chart = str(r.inputs.get("chart", ""))
    repo = (r.inputs.get("repositoryOpts") or {}).get("repo") or ""
    if chart.startswith("oci://"):
        repo, chart = chart.rsplit("/", 1)
    return chart, str(r.inputs.get("version", "")), repo or cfg.mirror.chart_repository


def _api_versions(cfg: StackConfig) -> list[str]:
    """API versions the cluster serves beyond the built-in ones, for charts that ask .Capabilities."""
    return ["monitoring.coreos.com/v1"] if cfg.preinstalled.prometheus else []


def _render_third_party(plan: Plan, r: Recorded, source: ChartSource) -> None:
    chart, version, repo = _chart_ref(r, plan.cfg)
    namespace = r.inputs.get("namespace") or "default"
    # Pulumi's helm.v4.Chart names the release after the resource unless the program names it.
    release = Release(r, chart, version, repo, r.inputs.get("name") or r.name, namespace)
    plan.third_party.append(release)
    located = source.locate(chart, version, repo)
    if located.path is None:
        release.reason = located.origin
        return
    release.origin = located.origin
    values = r.inputs.get("values") or {}
    rendered = helm.render_path(
        located.path, values, release=release.release, namespace=namespace, label=f"{chart} {version}",
        kube_version=plan.cfg.target.kubernetes_version, api_versions=_api_versions(plan.cfg),
    )
    from privllm.infra.chart_values import ignored_keys

    for key in ignored_keys(values, helm.chart_sources(located.path)):
        plan.problems.append(
            f"release {release.release} ({chart} {version}): value {key!r} is set by the kit but the chart never reads it"
        )
    from privllm.infra.coherence import with_namespace

    release.objects = rendered.objects + rendered.tests
    plan.manifests += [(r.component, with_namespace(o, namespace, rendered.objects)) for o in rendered.objects]
    plan.tests += [(r.component, with_namespace(o, namespace, rendered.objects)) for o in rendered.tests]
    plan.components[r.component] += len(rendered.objects)


def build(cfg: StackConfig, stack: str, charts: ChartSource | None = None) -> Plan:
    """The plan of ``stack``; third-party charts come from ``charts`` (default: $PRIVLLM_CHARTS, no pulling)."""
    source = charts if charts is not None else ChartSource.from_env()
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
                _render_third_party(plan, r, source)
            continue
        if r.type.startswith("kubernetes:"):
            obj = {k: v for k, v in r.inputs.items() if k not in ("arn",)}
            plan.manifests.append((r.component, obj))
        else:
            plan.cloud.append(r)
        plan.components[r.component] += 1
    invalid = []
    from privllm.infra.coherence import check, custom_kinds

    custom = custom_kinds(plan.objects)
    for component, obj in plan.manifests:
        if (obj.get("apiVersion"), obj.get("kind")) in custom and not is_known_crd(obj):
            continue  # a custom resource of a planned CRD; the coherence checks look at it
        for err in schema_errors(obj, cfg.target.kubernetes_version):
            invalid.append(f"{component}: {obj.get('kind')}/{obj.get('metadata', {}).get('name')}: {err}")
    if invalid:
        raise PlanError("planned objects are not valid Kubernetes " + cfg.target.kubernetes_version + ":\n  " + "\n  ".join(invalid))
    check(plan)
    return plan


def images(plan: Plan) -> list[str]:
    """Every image the deployment pulls, once: containers, init and ephemeral containers of every
    rendered pod, hook Job and test pod, and what operators pull for pods they create. A partial plan adds the catalogue images, the only record
    of what its unrendered releases were told to pull."""
    from privllm.infra.coherence import operator_images

    everything = plan.objects + [t for _, t in plan.tests]
    found = {c["image"] for o in everything for spec in pod_specs(o) for c in containers(spec)}
    found |= {image for o in everything for _, image in operator_images(o)}
    if plan.partial:
        found |= {plan.cfg.mirror.image_ref(key) for key in plan.cfg.mirror.images}
    return sorted(found)


def status(plan: Plan) -> dict:
    return {
        "stack": plan.stack,
        "complete": not plan.partial,
        "releases": [
            {"release": r.release, "chart": r.chart, "version": r.version, "namespace": r.namespace,
             "rendered": r.rendered, "origin": r.origin, "reason": r.reason}
            for r in plan.third_party
        ],
        "unrendered": [r.release for r in plan.unrendered],
        "problems": plan.problems,
        "unverified": plan.unverified,
    }


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
                "rendered": next((t.rendered for t in plan.third_party if t.recorded is r), False),
            }
            for r in plan.releases
        ],
        "partial": plan.partial,
    }


def write(plan: Plan, out: Path) -> dict[str, Path]:
    """Write the plan; the directory is replaced whole, so nothing stale survives."""
    from privllm.infra.flows import flows, flows_markdown

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
    notice = plan.partial_notice()
    (staging / "images.txt").write_text("".join(f"# {line}\n" for line in notice) + "\n".join(images(plan)) + "\n")
    (staging / "flows.md").write_text("".join(f"> {line}\n" for line in notice) + ("\n" if notice else "") + flows_markdown(flows(plan.objects)))
    (staging / PLAN_STATUS).write_text(json.dumps(status(plan), indent=2) + "\n")
    (staging / "summary.txt").write_text(summary(plan, out))
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return {"manifests": out / "manifests", "cloud": out / "cloud.json", "images": out / "images.txt", "flows": out / "flows.md",
            "summary": out / "summary.txt", "status": out / PLAN_STATUS}


def summary(plan: Plan, out: Path) -> str:
    from privllm.infra.flows import flows

    cfg = plan.cfg
    lines = [f"privllm plan: stack {plan.stack} ({cfg.target.kind}, Kubernetes {cfg.target.kubernetes_version}, cluster {cfg.target.cluster_name})", ""]
    lines += plan.partial_notice() + ([""] if plan.partial else [])
    lines.append("Resources per component:")
    for component, count in sorted(plan.components.items()):
        lines.append(f"  {component:<20} {count}")
    lines.append(
        f"  total: {len(plan.manifests)} Kubernetes objects, {len(plan.cloud)} cloud resources, "
        f"{len(plan.releases)} third-party chart releases ({len(plan.releases) - len(plan.unrendered)} rendered)"
    )
    lines += ["", "Third-party releases:"]
    for r in plan.third_party:
        lines.append(f"  {r.release:<40} {r.chart} {r.version}  " + (f"rendered from {r.origin}" if r.rendered else "NOT RENDERED"))
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
        f"  {PLAN_STATUS}    whether the plan is complete, per release; problems found",
        "",
    ]
    if plan.problems:
        lines += [f"Problems ({len(plan.problems)}): the plan cannot come up as it is:"] + [f"  {p}" for p in plan.problems] + [""]
    if plan.unverified:
        lines += [f"Unverified until every release is rendered ({len(plan.unverified)}):"] + [f"  {u}" for u in plan.unverified] + [""]
    if plan.partial:
        lines += [plan.partial_notice()[0].split(":")[0] + ": see the top of this summary.", ""]
    return "\n".join(lines)
