"""The review: every policy over every object it applies to, findings by layer.

An engine error fails the review (``Review.errors``); it never reads as a pass. The review
says what it looked at: objects by kind, pod specs found inside custom resources, and every
document it skipped with the reason (``--strict`` fails on any). Exempted findings stay in
every report, marked with their reason and owner; only unexempted ones count.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from policies.catalog import LAYERS, SEVERITIES, Policy, inventory_kinds, library_modules, load_all
from policies.documents import Intake
from policies.engine import EngineError
from policies.evaluate import evaluate
from policies.exemptions import exemption_for
from policies.params import base_params, review_params, settings_params  # noqa: F401 - re-exported for the CLI
from policies.workloads import KIT_API_GROUP, Reviewable, Skipped, expand, shape_problem


@dataclass(frozen=True)
class Finding:
    id: str
    layer: int
    layer_name: str
    severity: str
    title: str
    resource: dict
    message: str
    controls: tuple[str, ...]
    exemption: dict | None = None

    @property
    def exempted(self) -> bool:
        return self.exemption is not None

    def as_dict(self) -> dict:
        d = asdict(self)
        d["controls"] = list(self.controls)
        return d


@dataclass
class PolicyResult:
    policy: Policy
    documents: int = 0  # documents the policy applied to
    findings: list[Finding] = field(default_factory=list)

    @property
    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.exemption is None]

    @property
    def status(self) -> str:
        if self.open_findings:
            return "failed"
        if self.findings:
            return "exempted"
        return "met" if self.documents else "not-applicable"


@dataclass
class Review:
    results: list[PolicyResult]
    documents: int
    errors: list[str] = field(default_factory=list)
    plan: dict | None = None  # the reviewed plan's status (infra.plan.status): complete or partial, problems
    skipped: list[Skipped] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)  # reviewed objects by kind
    unexamined_kinds: list[str] = field(default_factory=list)  # kinds no policy applies to
    pod_specs_in_custom_resources: list[dict] = field(default_factory=list)

    @property
    def all_findings(self) -> list[Finding]:
        order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
        found = [f for r in self.results for f in r.findings]
        return sorted(found, key=lambda f: (f.layer, order[f.severity], f.id, f.resource.get("namespace", ""), f.resource.get("name", ""), f.message))

    @property
    def findings(self) -> list[Finding]:
        """Findings that count: not exempted."""
        return [f for f in self.all_findings if f.exemption is None]

    @property
    def exempted(self) -> list[Finding]:
        return [f for f in self.all_findings if f.exemption is not None]

    def at_or_above(self, severity: str) -> list[Finding]:
        floor = SEVERITIES.index(severity)
        return [f for f in self.findings if SEVERITIES.index(f.severity) >= floor]

    def by_layer(self) -> dict[int, dict[str, int]]:
        summary = {layer: {"met": 0, "failed": 0, "exempted": 0, "not-applicable": 0, "findings": 0} for layer in LAYERS}
        for r in self.results:
            summary[r.policy.layer][r.status] += 1
            summary[r.policy.layer]["findings"] += len(r.open_findings)
        return summary

    def coverage(self) -> dict[str, list[str]]:
        """External control id -> ids of the policies that implement it."""
        out: dict[str, list[str]] = {}
        for r in self.results:
            for control in r.policy.controls:
                out.setdefault(control, []).append(r.policy.id)
        return dict(sorted(out.items()))

    def scope(self) -> dict:
        """What the review looked at, for every report."""
        return {
            "objects_by_kind": dict(sorted(self.kinds.items())),
            "kinds_no_policy_examines": self.unexamined_kinds,
            "pod_specs_in_custom_resources": self.pod_specs_in_custom_resources,
            "skipped": [s.as_dict() for s in self.skipped],
        }


def resource_of(doc: dict) -> dict:
    from policies.workloads import identity

    return identity(doc, "")


def reviewables(documents: list[dict], source: str = "input") -> tuple[list[Reviewable], list[Skipped]]:
    items: list[Reviewable] = []
    skipped: list[Skipped] = []
    for i, doc in enumerate(documents, start=1):
        # A copy: the review drops null fields, and the caller's objects (a plan's) stay as they are.
        expand(json.loads(json.dumps(doc, default=str)), f"{source}#{i}", items, skipped.append)
    return items, skipped


def review(
    documents: list[dict] | list[Reviewable],
    params: dict | None = None,
    policies: list[Policy] | None = None,
    exemptions: list | None = None,
    skipped: list[Skipped] | None = None,
) -> Review:
    policies = policies if policies is not None else load_all()
    if documents and not isinstance(documents[0], Reviewable):
        items, more = reviewables(documents)
        skipped = [*(skipped or []), *more]
    else:
        items = documents  # type: ignore[assignment]
    skipped = list(skipped or [])
    params = {**base_params(), **(params or {})}
    results = [PolicyResult(p) for p in policies]
    applied_kinds = {k for p in policies for k in p.kinds}
    items = _well_formed(items, applied_kinds, skipped)
    modules = {**library_modules(), **{f"{p.folder.name}/policy.rego": p.rego for p in policies}}
    errors: list[str] = []
    wanted = inventory_kinds(policies)
    inventory: dict[str, list[dict]] = {}
    for item in items:
        if item.original and item.doc["kind"] in wanted:
            inventory.setdefault(item.doc["kind"], []).append(item.doc if item.text is None else json.loads(item.text))
    kinds = Counter(item.resource["kind"] for item in items if item.original)
    by_kind: dict[str, list[PolicyResult]] = {}
    for r in results:
        for kind in r.policy.kinds:
            by_kind.setdefault(kind, []).append(r)
    reviewed = [item for item in items if item.doc["kind"] in by_kind]
    jobs = [_job(item, by_kind[item.doc["kind"]]) for item in reviewed]
    try:
        outcomes = evaluate(modules, {"privllm": {"inventory": inventory, "params": params}}, jobs)
    except EngineError as exc:
        return Review(results, len(items), [f"policy set failed to load: {exc}"], skipped=skipped)
    for item, job, (found, problems) in zip(reviewed, jobs, outcomes, strict=True):
        errors += problems
        for r in by_kind[item.doc["kind"]]:
            p = r.policy
            if p.package not in found and p.package in job[1]:
                continue  # an engine error, reported in errors
            r.documents += 1
            for message in sorted(set(found.get(p.package, []))):
                exemption = exemption_for(exemptions or [], p.id, item.resource)
                r.findings.append(Finding(p.id, p.layer, p.layer_name, p.severity, p.title, item.resource, message, p.controls, exemption))
    crd_pods = [{"resource": item.resource} for item in items if not item.original]
    owners_of_pods = {i.resource["kind"] for i in items if not i.original}
    unexamined = sorted(k for k in kinds if k not in applied_kinds and k not in owners_of_pods)
    return Review(results, len(items), errors, skipped=skipped, kinds=dict(kinds), unexamined_kinds=unexamined, pod_specs_in_custom_resources=crd_pods)


def _job(item: Reviewable, applicable: list[PolicyResult]) -> tuple[str, tuple[str, ...], str]:
    text = item.text if item.text is not None else json.dumps(item.doc, default=str)
    kind = item.doc["kind"]
    lowered = text.lower() if any(r.policy.needs_text for r in applicable) else ""
    packages = tuple(r.policy.package for r in applicable if r.policy.may_find(kind, lowered))
    return text, packages, f"{item.resource['kind']}/{item.resource['name'] or item.resource['source']}"


def _well_formed(items: list[Reviewable], applied_kinds: set[str], skipped: list[Skipped]) -> list[Reviewable]:
    """Objects a policy will read must have the field types the API server insists on."""
    kept = []
    for item in items:
        already_checked = item.text is not None
        kubernetes = not str(item.doc.get("apiVersion", "")).startswith(KIT_API_GROUP + "/")  # the kit's own kinds are typed by it
        problem = shape_problem(item.doc) if kubernetes and item.doc["kind"] in applied_kinds and not already_checked else None
        if problem:
            what = f"{item.resource['kind']} {item.resource['name'] or '(unnamed)'}"
            where = f" at {item.resource['path']}" if item.resource.get("path") else ""
            skipped.append(Skipped(item.resource["source"], f"{what}{where}: {problem} (the API server would refuse it); not reviewed"))
        else:
            kept.append(item)
    return kept


def review_stack(cfg, name: str, charts=None) -> Review:
    """Plan the stack offline and review everything it would deploy, the stack itself included."""
    from infra.plan import build

    return review_plan(build(cfg, name, charts))


def review_plan(plan) -> Review:
    """Review a plan already built (tests share one per session), the stack itself included."""
    from infra.plan import cloud_inventory, status
    from policies.documents import cloud_documents, stack_document

    docs = plan.objects + cloud_documents(cloud_inventory(plan)) + [stack_document(plan.cfg, plan.stack)]
    items, skipped = reviewables(docs, f"plan:{plan.stack}")
    result = review(items, review_params(plan.cfg), exemptions=list(plan.cfg.review.exemptions), skipped=skipped)
    result.plan = status(plan)
    return result


def prepare_file(job: tuple) -> Intake:
    """Read one file, check its objects and hold them as JSON text (runs in a worker for big inputs)."""
    from policies.documents import read_file

    path, root, applied_kinds, keep_whole = job
    part = read_file(path, root)
    part.items = _well_formed(part.items, applied_kinds, part.skipped)
    for item in part.items:
        item.compact(keep_whole=item.doc["kind"] in keep_whole and item.original)
    return part


def review_directory(path, params: dict | None = None, exemptions: list | None = None) -> Review:
    """Stream the files: each object is checked and kept as JSON text as soon as its file is read,
    so memory grows with the text of the input, not with parsed YAML. Big inputs are read by
    worker processes, a file each. A plan output directory also brings its status (plan.json)."""
    from pathlib import Path

    from infra.plan import PLAN_STATUS, read_status
    from policies.documents import manifest_files, read_directory
    from policies.evaluate import map_files

    policies = load_all()
    applied_kinds = {k for p in policies for k in p.kinds}
    keep_whole = inventory_kinds(policies)
    root = Path(path)
    files = [f for f in manifest_files(root) if not (f.name == PLAN_STATUS and f.parent == root)]
    parts = map_files(prepare_file, [(f, root, applied_kinds, keep_whole) for f in files], sum(f.stat().st_size for f in files))
    intake = read_directory(root, parts=parts)
    result = review(intake.items, params, policies=policies, exemptions=exemptions, skipped=intake.skipped)
    result.plan = read_status(root)
    return result
