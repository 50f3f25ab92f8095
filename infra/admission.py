"""Admission dry run: every Gatekeeper constraint the plan installs, against every planned object.

Gatekeeper's own match semantics decide which object a constraint sees:
- the API server calls the webhook only for namespaces its namespaceSelector matches (read from the
  rendered ValidatingWebhookConfiguration; the chart's excludes admission.gatekeeper.sh/ignore and
  Gatekeeper's own namespace); a Namespace object is matched by its own labels, any other
  cluster-scoped object always goes to the webhook; Gatekeeper then skips the namespaces it exempts
  (--exempt-namespace), and allows the ignore label only on those;
- ``match.kinds`` (apiGroups x kinds, "*" for any), ``match.scope`` (Cluster / Namespaced / *),
  ``match.namespaces`` and ``match.excludedNamespaces`` (with a trailing or leading "*") apply to
  namespaced objects only: a cluster-scoped object always passes them, and a Namespace is
  matched by its own name; ``match.labelSelector`` on the object, ``match.namespaceSelector`` on
  its namespace's labels (cluster-scoped objects other than Namespaces pass), ``match.name``.
The template's Rego then runs through the real engine (policies/engine.py) with Gatekeeper's
input (``input.review.object``, ``input.parameters``). Any violation is a denial: the kit must
never deny its own components.
"""

from __future__ import annotations

import fnmatch

from privllm.infra.kinds import GATEKEEPER_CONSTRAINTS, crd_scopes, group_of, is_cluster_scoped, selector_matches
from privllm.policies.engine import Engine, EngineError

IGNORE_LABEL = "admission.gatekeeper.sh/ignore"


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _glob(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern) if "*" in pattern else pattern == value


class Cluster:
    """The planned objects as Gatekeeper would see them: namespaces with labels, scopes, exemptions."""

    def __init__(self, objects: list[dict]):
        self.objects = objects
        self.crd_scopes = crd_scopes(objects)
        # The API server labels every namespace with its own name.
        self.namespace_labels = {
            _meta(o).get("name"): {**(_meta(o).get("labels") or {}), "kubernetes.io/metadata.name": _meta(o).get("name")}
            for o in objects
            if o.get("kind") == "Namespace"
        }
        # What the webhook is sent: the rendered Gatekeeper webhook's namespaceSelector, or the chart's default.
        self.webhook_selector: dict = {"matchExpressions": [{"key": IGNORE_LABEL, "operator": "DoesNotExist"}]}
        for o in objects:
            if o.get("kind") == "ValidatingWebhookConfiguration" and "gatekeeper" in _meta(o).get("name", ""):
                for hook in o.get("webhooks") or []:
                    if hook.get("name", "").startswith("validation.gatekeeper.sh"):
                        self.webhook_selector = hook.get("namespaceSelector") or {}
        self.exempt = set()
        for o in objects:
            for spec in _gatekeeper_pod_specs(o):
                for c in spec.get("containers") or []:
                    self.exempt |= {a.split("=", 1)[1] for a in c.get("args") or [] if a.startswith("--exempt-namespace=")}
                    self.exempt |= {a.split("=", 1)[1] + "*" for a in c.get("args") or [] if a.startswith("--exempt-namespace-prefix=")}

    def namespace_of(self, obj: dict) -> str | None:
        if obj.get("kind") == "Namespace":
            return _meta(obj).get("name")
        if is_cluster_scoped(obj, self.crd_scopes):
            return None
        return _meta(obj).get("namespace") or "default"

    def exempted(self, obj: dict) -> bool:
        """True when Gatekeeper never judges ``obj``: the webhook is not called for its namespace, or
        Gatekeeper exempts the namespace itself. Cluster-scoped objects are always judged."""
        ns = self.namespace_of(obj)
        if ns is None:
            return False
        if obj.get("kind") == "Namespace":
            labels = {**(_meta(obj).get("labels") or {}), "kubernetes.io/metadata.name": ns}
        else:
            labels = self.namespace_labels.get(ns, {"kubernetes.io/metadata.name": ns})
        if not selector_matches(self.webhook_selector, labels):
            return True
        return any(_glob(p, ns) for p in self.exempt)

    def matches(self, match: dict, obj: dict) -> bool:
        kind, group = obj.get("kind", ""), group_of(obj.get("apiVersion", ""))
        kinds = match.get("kinds") or []
        if kinds and not any(
            ("*" in (k.get("apiGroups") or ["*"]) or group in (k.get("apiGroups") or []))
            and ("*" in (k.get("kinds") or ["*"]) or kind in (k.get("kinds") or []))
            for k in kinds
        ):
            return False
        cluster_scoped = is_cluster_scoped(obj, self.crd_scopes)
        scope = match.get("scope", "*")
        if (scope == "Cluster" and not cluster_scoped) or (scope == "Namespaced" and cluster_scoped):
            return False
        ns = self.namespace_of(obj)
        if ns is not None:
            if match.get("namespaces") and not any(_glob(p, ns) for p in match["namespaces"]):
                return False
            if any(_glob(p, ns) for p in match.get("excludedNamespaces") or []):
                return False
            ns_labels = _meta(obj).get("labels") or {} if kind == "Namespace" else self.namespace_labels.get(ns, {})
            if not selector_matches(match.get("namespaceSelector"), ns_labels):
                return False
        if not selector_matches(match.get("labelSelector"), _meta(obj).get("labels") or {}):
            return False
        if match.get("name") and not _glob(match["name"], _meta(obj).get("name", "")):
            return False
        return True


def _gatekeeper_pod_specs(obj: dict):
    if obj.get("kind") == "Deployment" and "gatekeeper" in _meta(obj).get("name", ""):
        yield ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}


def _template_modules(template: dict) -> tuple[dict[str, str], str] | None:
    """The Rego modules of a template (its rego and libs) and its package; None when it has no Rego."""
    target = ((template.get("spec") or {}).get("targets") or [{}])[0]
    code = next((c for c in target.get("code") or [] if c.get("engine") == "Rego"), None)
    source = code["source"] if code else target
    rego, libs = source.get("rego", ""), source.get("libs") or []
    package = next((line.split()[1] for line in rego.splitlines() if line.startswith("package ")), None)
    if package is None:
        return None
    modules = {"template.rego": rego} | {f"lib{i}.rego": text for i, text in enumerate(libs)}
    return modules, package


def _describe(obj: dict) -> str:
    meta = _meta(obj)
    return f"{obj.get('kind')} {meta['namespace'] + '/' if meta.get('namespace') else ''}{meta.get('name')}"


def dry_run(objects: list[dict]) -> list[str]:
    """One message per denial, naming the constraint and the object; [] when every object is admitted."""
    cluster = Cluster(objects)
    templates = {
        ((o.get("spec") or {}).get("crd") or {}).get("spec", {}).get("names", {}).get("kind"): o
        for o in objects
        if o.get("kind") == "ConstraintTemplate"
    }
    constraints = [o for o in objects if group_of(o.get("apiVersion", "")) == GATEKEEPER_CONSTRAINTS]
    denials = []
    for constraint in constraints:
        name = _meta(constraint).get("name")
        template = templates.get(constraint.get("kind"))
        if template is None:
            denials.append(f"Constraint {name}: no ConstraintTemplate defines its kind {constraint.get('kind')}")
            continue
        if (constraint.get("spec") or {}).get("enforcementAction", "deny") != "deny":
            continue
        loaded = _template_modules(template)
        if loaded is None:
            denials.append(f"Constraint {name}: ConstraintTemplate {_meta(template).get('name')} has no Rego package to evaluate")
            continue
        modules, package = loaded
        try:
            engine = Engine(modules)
        except EngineError as exc:
            denials.append(f"Constraint {name}: its template does not load in the Rego engine: {exc}")
            continue
        match = (constraint.get("spec") or {}).get("match") or {}
        parameters = (constraint.get("spec") or {}).get("parameters") or {}
        for obj in objects:
            if obj is constraint or cluster.exempted(obj) or not cluster.matches(match, obj):
                continue
            review = {
                "object": obj,
                "kind": {"group": group_of(obj.get("apiVersion", "")), "kind": obj.get("kind")},
                "name": _meta(obj).get("name"),
                "namespace": cluster.namespace_of(obj) or "",
                "operation": "CREATE",
            }
            try:
                violations = engine.query(f"data.{package}.violation", {"review": review, "parameters": parameters}) or []
            except EngineError as exc:
                denials.append(f"Constraint {name} on {_describe(obj)}: the engine failed ({exc}), which Gatekeeper fails closed on")
                continue
            for v in violations:
                denials.append(f"admission: Constraint {name} denies {_describe(obj)}: {v.get('msg', v)}")
    denials += _webhook_problems(objects)
    return denials


def _webhook_problems(objects: list[dict]) -> list[str]:
    """Gatekeeper fails closed, and honours the ignore label only where it is allowed to."""
    problems = []
    cluster = Cluster(objects)
    for o in objects:
        if o.get("kind") == "ValidatingWebhookConfiguration" and "gatekeeper" in _meta(o).get("name", ""):
            for hook in o.get("webhooks") or []:
                if hook.get("name", "").startswith("validation.gatekeeper.sh") and hook.get("failurePolicy", "Fail") != "Fail":
                    problems.append(
                        f"ValidatingWebhookConfiguration {_meta(o).get('name')}: webhook {hook['name']} fails open "
                        f"(failurePolicy {hook.get('failurePolicy')}); set the chart's validatingWebhookFailurePolicy to Fail"
                    )
        if o.get("kind") == "Namespace" and IGNORE_LABEL in (_meta(o).get("labels") or {}) and cluster.exempt:
            if not any(_glob(p, _meta(o).get("name", "")) for p in cluster.exempt):
                problems.append(
                    f"Namespace {_meta(o).get('name')}: carries {IGNORE_LABEL} but Gatekeeper does not exempt it "
                    "(controllerManager.exemptNamespaces); Gatekeeper would refuse the label"
                )
    return problems
