"""Compliance mapping: which framework controls a reviewed deployment meets, fails or leaves uncovered.

The mapping is data (policies/frameworks/): framework ids with the kit's own one-line titles, kit
controls mapped to framework ids, and policies and runtime controls mapped to kit controls. A
framework control is

- ``met``: every policy reaching it applied to at least one object and none has an unexempted finding;
- ``failed``: a policy reaching it has an unexempted finding (the findings are the evidence);
- ``not-evaluated``: policies reach it, but none applied to anything in this plan;
- ``kit-provided``: only runtime controls reach it and no policy can see them in a plan (the evidence
  names the code that provides it);
- ``not-covered``: no kit control reaches it; the organisation's own process must meet it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from privllm.paths import POLICIES

FRAMEWORK_DIR = POLICIES / "frameworks"
STATUSES = ("met", "failed", "not-evaluated", "kit-provided", "not-covered")


class MappingError(ValueError):
    """The mapping data is inconsistent (an unknown id, a policy without a mapping)."""


@dataclass(frozen=True)
class Framework:
    key: str
    name: str
    source: str
    controls: dict[str, str]  # id -> title


@dataclass(frozen=True)
class RuntimeControl:
    id: str
    title: str
    implemented_by: str
    kit_controls: tuple[str, ...]
    verified_by: tuple[str, ...]


@dataclass(frozen=True)
class Mapping:
    frameworks: dict[str, Framework]
    kit_controls: dict[str, dict]  # id -> {"title", "frameworks": {key: [ids]}}
    policies: dict[str, tuple[str, ...]]  # policy id -> kit control ids
    runtime: dict[str, RuntimeControl]

    def kit_controls_for(self, framework: str, control_id: str) -> list[str]:
        return [k for k, v in self.kit_controls.items() if control_id in (v.get("frameworks") or {}).get(framework, [])]


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


@cache
def load(directory: Path = FRAMEWORK_DIR) -> Mapping:
    raw_frameworks = _yaml(directory / "frameworks.yaml")
    frameworks = {
        key: Framework(key, v["name"], v["source"], {str(k): str(t) for k, t in v["controls"].items()})
        for key, v in raw_frameworks.items()
    }
    raw = _yaml(directory / "mapping.yaml")
    kit_controls = raw.get("kit_controls") or {}
    policies = {pid: tuple(ks) for pid, ks in (raw.get("policies") or {}).items()}
    runtime = {
        rid: RuntimeControl(rid, v["title"], v["implemented_by"], tuple(v["kit_controls"]), tuple(v.get("verified_by") or ()))
        for rid, v in (raw.get("runtime_controls") or {}).items()
    }
    mapping = Mapping(frameworks, kit_controls, policies, runtime)
    problems = check(mapping)
    if problems:
        raise MappingError("; ".join(problems))
    return mapping


def check(mapping: Mapping, policy_ids: list[str] | None = None) -> list[str]:
    """Every id the mapping names exists; with ``policy_ids``, every policy is mapped."""
    problems = []
    for kc, v in mapping.kit_controls.items():
        for fw, ids in (v.get("frameworks") or {}).items():
            if fw not in mapping.frameworks:
                problems.append(f"kit control {kc}: unknown framework {fw!r}")
                continue
            problems += [f"kit control {kc}: {fw} has no control {i!r}" for i in ids if i not in mapping.frameworks[fw].controls]
    for pid, kcs in mapping.policies.items():
        problems += [f"policy {pid}: unknown kit control {k!r}" for k in kcs if k not in mapping.kit_controls]
    for rc in mapping.runtime.values():
        problems += [f"runtime control {rc.id}: unknown kit control {k!r}" for k in rc.kit_controls if k not in mapping.kit_controls]
        problems += [f"runtime control {rc.id}: verified_by names unmapped policy {p!r}" for p in rc.verified_by if p not in mapping.policies]
    if policy_ids is not None:
        problems += [f"policy {p} maps to no kit control (add it to policies/frameworks/mapping.yaml)" for p in policy_ids if p not in mapping.policies]
        problems += [f"mapping names policy {p}, which does not exist" for p in mapping.policies if p not in policy_ids]
    return problems


@dataclass
class ControlResult:
    id: str
    title: str
    status: str
    kit_controls: list[str]
    policies: list[dict] = field(default_factory=list)  # {"id", "title", "status", "findings"}
    runtime: list[dict] = field(default_factory=list)  # {"id", "title", "implemented_by"}
    findings: list[dict] = field(default_factory=list)  # unexempted findings that fail it

    def as_dict(self) -> dict:
        return {
            "id": self.id, "title": self.title, "status": self.status, "kit_controls": self.kit_controls,
            "policies": self.policies, "runtime_controls": self.runtime, "findings": self.findings,
        }


@dataclass
class ComplianceReport:
    framework: Framework
    controls: list[ControlResult]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for c in self.controls:
            out[c.status] += 1
        return out

    def as_dict(self) -> dict:
        return {
            "framework": self.framework.key, "name": self.framework.name, "source": self.framework.source,
            "summary": self.counts(), "controls": [c.as_dict() for c in self.controls],
        }


def _open_findings(result) -> list:
    """Findings that count: exempted ones (when the review marks them) do not."""
    return [f for f in result.findings if not getattr(f, "exempted", False)]


def evaluate(review, framework: str, mapping: Mapping | None = None) -> ComplianceReport:
    """Per control of ``framework``: met, failed, not evaluated, kit-provided or not covered."""
    mapping = mapping or load()
    if framework not in mapping.frameworks:
        raise MappingError(f"unknown framework {framework!r}; valid: {', '.join(sorted(mapping.frameworks))}")
    fw = mapping.frameworks[framework]
    by_policy = {r.policy.id: r for r in review.results}
    out = []
    for control_id, title in fw.controls.items():
        kcs = mapping.kit_controls_for(framework, control_id)
        policy_ids = sorted({p for p, ks in mapping.policies.items() if set(ks) & set(kcs)})
        runtime = [rc for rc in mapping.runtime.values() if set(rc.kit_controls) & set(kcs)]
        result = ControlResult(control_id, title, "not-covered", kcs)
        result.runtime = [{"id": rc.id, "title": rc.title, "implemented_by": rc.implemented_by} for rc in runtime]
        applied = 0
        for pid in policy_ids:
            r = by_policy.get(pid)
            if r is None:
                continue
            open_findings = _open_findings(r)
            status = "failed" if open_findings else ("met" if r.documents else "not-applicable")
            applied += bool(r.documents)
            result.policies.append({"id": pid, "title": r.policy.title, "status": status, "findings": len(open_findings)})
            result.findings += [{"policy": pid, "resource": f.resource, "message": f.message} for f in open_findings]
        if result.findings:
            result.status = "failed"
        elif applied:
            result.status = "met"
        elif result.policies:
            result.status = "not-evaluated"
        elif runtime:
            result.status = "kit-provided"
        out.append(result)
    return ComplianceReport(fw, out)
