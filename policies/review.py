"""The review: every policy over every document it applies to, findings by layer.

An engine error fails the review (``Review.errors``); it never reads as a pass.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from policies.catalog import LAYERS, SEVERITIES, Policy, library_modules, load_all
from policies.engine import Engine, EngineError


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
    def status(self) -> str:
        if self.findings:
            return "failed"
        return "met" if self.documents else "not-applicable"


@dataclass
class Review:
    results: list[PolicyResult]
    documents: int
    errors: list[str] = field(default_factory=list)
    plan: dict | None = None  # the reviewed plan's status (infra.plan.status): complete or partial, problems

    @property
    def findings(self) -> list[Finding]:
        order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
        found = [f for r in self.results for f in r.findings]
        return sorted(found, key=lambda f: (f.layer, order[f.severity], f.id, f.resource.get("namespace", ""), f.resource.get("name", "")))

    def at_or_above(self, severity: str) -> list[Finding]:
        floor = SEVERITIES.index(severity)
        return [f for f in self.findings if SEVERITIES.index(f.severity) >= floor]

    def by_layer(self) -> dict[int, dict[str, int]]:
        summary = {layer: {"met": 0, "failed": 0, "not-applicable": 0, "findings": 0} for layer in LAYERS}
        for r in self.results:
            summary[r.policy.layer][r.status] += 1
            summary[r.policy.layer]["findings"] += len(r.findings)
        return summary

    def coverage(self) -> dict[str, list[str]]:
        """External control id -> ids of the policies that implement it."""
        out: dict[str, list[str]] = {}
        for r in self.results:
            for control in r.policy.controls:
                out.setdefault(control, []).append(r.policy.id)
        return dict(sorted(out.items()))


def resource_of(doc: dict) -> dict:
    meta = doc.get("metadata") or {}
    return {"kind": doc.get("kind", ""), "namespace": meta.get("namespace", "") or "", "name": meta.get("name", "")}


def review(documents: list[dict], params: dict | None = None, policies: list[Policy] | None = None) -> Review:
    policies = policies if policies is not None else load_all()
    results = [PolicyResult(p) for p in policies]
    modules = {**library_modules(), **{f"{p.folder.name}/policy.rego": p.rego for p in policies}}
    errors: list[str] = []
    try:
        engine = Engine(modules, {"inventory": documents, "params": params or {}})
    except EngineError as exc:
        return Review(results, len(documents), [f"policy set failed to load: {exc}"])
    for doc in documents:
        kind = doc.get("kind")
        applicable = [r for r in results if kind in r.policy.kinds]
        if not applicable:
            continue
        engine.set_input(doc)
        try:
            # One query per document for all its policies; on an error, fall back to one query
            # per policy so the error names the policy that raised it.
            batch = "{" + ", ".join(f'"{i}": data.{r.policy.package}.deny' for i, r in enumerate(applicable)) + "}"
            values = engine.query(batch) or {}
            results_for = {r.policy.id: values.get(str(i)) or [] for i, r in enumerate(applicable)}
        except EngineError:
            results_for = {}
            for r in applicable:
                try:
                    results_for[r.policy.id] = engine.query(f"data.{r.policy.package}.deny") or []
                except EngineError as exc:
                    errors.append(f"{r.policy.id} on {kind}/{resource_of(doc)['name']}: {exc}")
        for r in applicable:
            if r.policy.id not in results_for:
                continue
            messages = results_for[r.policy.id]
            r.documents += 1
            for message in sorted(messages):
                p = r.policy
                r.findings.append(Finding(p.id, p.layer, p.layer_name, p.severity, p.title, resource_of(doc), message, p.controls))
    return Review(results, len(documents), errors)


def review_params(cfg) -> dict:
    """What policies may know of the stack: its mirror and its RBAC groups."""
    return {"mirror": cfg.mirror.image_registry, "chart_repository": cfg.mirror.chart_repository, "rbac": cfg.rbac.model_dump()}


def review_stack(cfg, name: str, charts=None) -> Review:
    """Plan the stack offline and review everything it would deploy, the stack itself included."""
    from infra.plan import build

    return review_plan(build(cfg, name, charts))


def review_plan(plan) -> Review:
    """Review a plan already built (tests share one per session), the stack itself included."""
    from infra.plan import cloud_inventory, status
    from policies.documents import cloud_documents, stack_document

    docs = plan.objects + cloud_documents(cloud_inventory(plan)) + [stack_document(plan.cfg, plan.stack)]
    result = review(docs, review_params(plan.cfg))
    result.plan = status(plan)
    return result


def review_directory(path, params: dict | None = None) -> Review:
    from pathlib import Path

    from infra.plan import read_status
    from policies.documents import read_directory

    result = review(read_directory(path), params)
    result.plan = read_status(Path(path))
    return result
