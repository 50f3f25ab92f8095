"""Where pods hide: the pod-bearing kinds the Rego library reads natively, a table of pod-spec
locations in common serving and rollout custom resources, and a search by shape for any other.

Each pod spec found in a custom resource becomes a synthetic Pod that the policies review,
carrying its owner's identity (kind, namespace, name, path). Anything that looks like it runs
an image but is not inside a pod spec the review knows is reported as not reviewed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Kinds whose pods the Rego library (policies/lib/kubernetes.rego, pod_specs) finds itself;
# Gatekeeper admits these objects as they are. Policy metadata names them as "workloads".
POD_KINDS = (
    "Pod",
    "PodTemplate",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "LeaderWorkerSet",
)

# (API group, kind) -> paths of pod specs; "*" walks every entry of a list or mapping.
# A path ending in template/spec takes its labels from template/metadata.
POD_SPEC_LOCATIONS: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {
    ("serving.kserve.io", "InferenceService"): (("spec", "predictor"), ("spec", "transformer"), ("spec", "explainer")),
    ("serving.kserve.io", "ServingRuntime"): (("spec",),),
    ("serving.kserve.io", "ClusterServingRuntime"): (("spec",),),
    ("serving.kserve.io", "InferenceGraph"): (),
    ("ray.io", "RayCluster"): (
        ("spec", "headGroupSpec", "template", "spec"),
        ("spec", "workerGroupSpecs", "*", "template", "spec"),
    ),
    ("ray.io", "RayService"): (
        ("spec", "rayClusterConfig", "headGroupSpec", "template", "spec"),
        ("spec", "rayClusterConfig", "workerGroupSpecs", "*", "template", "spec"),
    ),
    ("ray.io", "RayJob"): (
        ("spec", "rayClusterSpec", "headGroupSpec", "template", "spec"),
        ("spec", "rayClusterSpec", "workerGroupSpecs", "*", "template", "spec"),
        ("spec", "submitterPodTemplate", "spec"),
    ),
    ("serving.knative.dev", "Service"): (("spec", "template", "spec"),),
    ("serving.knative.dev", "Configuration"): (("spec", "template", "spec"),),
    ("serving.knative.dev", "Revision"): (("spec",),),
    ("argoproj.io", "Rollout"): (("spec", "template", "spec"),),
    ("kubeflow.org", "PyTorchJob"): (("spec", "pytorchReplicaSpecs", "*", "template", "spec"),),
    ("kubeflow.org", "TFJob"): (("spec", "tfReplicaSpecs", "*", "template", "spec"),),
    ("kubeflow.org", "MPIJob"): (("spec", "mpiReplicaSpecs", "*", "template", "spec"),),
    ("kubeflow.org", "XGBoostJob"): (("spec", "xgbReplicaSpecs", "*", "template", "spec"),),
    ("kubeflow.org", "Notebook"): (("spec", "template", "spec"),),
}
# KServe components name their model server as one container under a framework key
# (model, huggingface, sklearn, ...) next to an inline pod spec.
KSERVE_COMPONENT_KINDS = {("serving.kserve.io", "InferenceService")}
_CONTAINER_KEYS = ("image", "args", "command", "env", "storageUri", "modelFormat")
POD_SPEC_FIELDS = ("containers", "initContainers", "ephemeralContainers")
# The API group of the kit's own review inputs (StackConfig, CloudResource, HelmRelease).
KIT_API_GROUP = "privllm.io"
# Annotation on a synthetic Pod naming what it was taken from (the policies print it).
SUBJECT_ANNOTATION = "privllm.io/reviewed-as"


# Field shapes the policies rely on, as the API server's schema fixes them. A document that
# breaks them would be refused by the API server; the review skips it with the reason instead
# of letting a policy fail on it. Null values are dropped first: the API server reads null as unset.
LIST_FIELDS = frozenset(
    {
        "containers", "initContainers", "ephemeralContainers", "env", "envFrom", "ports", "volumes", "volumeMounts",
        "rules", "subjects", "ingress", "egress", "from", "to", "listeners", "hostnames", "verbs", "apiGroups",
        "nonResourceURLs", "args", "command", "policyTypes", "add", "drop", "externalIPs", "paths", "hosts",
        "workerGroupSpecs", "groups", "except",
    }
)
STRING_LIST_FIELDS = frozenset({"verbs", "apiGroups", "nonResourceURLs", "hostnames", "hosts", "add", "drop", "policyTypes", "externalIPs", "except"})
# Lists of objects (containers, rules, ...); args and command hold any scalars (read as text).
OBJECT_LIST_FIELDS = LIST_FIELDS - STRING_LIST_FIELDS - {"args", "command"}
OBJECT_FIELDS = frozenset(
    {
        "metadata", "spec", "template", "securityContext", "seccompProfile", "capabilities", "ipBlock", "namespaceSelector",
        "podSelector", "hostPath", "persistentVolumeClaim", "valueFrom", "secretKeyRef", "secretRef", "roleRef",
        "jobTemplate", "leaderWorkerTemplate", "leaderTemplate", "workerTemplate", "labels", "annotations", "backend",
        "defaultBackend", "http", "infrastructure", "matchLabels",
    }
)
STRING_FIELDS = frozenset({"name", "image", "cidr", "host", "hostname", "generateName", "namespace", "kind", "apiVersion", "type", "protocol"})
# Free-form content: anything goes below these keys.
_OPAQUE = frozenset({"data", "stringData", "binaryData", "annotations", "labels", "values", "openAPIV3Schema", "inputs", "status", "matchLabels"})


def shape_problem(node, trail: tuple[str, ...] = (), depth: int = 0) -> str | None:
    """The first field whose type the API server would refuse, with its path; drops nulls."""
    if depth > 60:
        return None
    if isinstance(node, dict):
        for key in [k for k, v in node.items() if v is None]:
            del node[key]
        for key, value in node.items():
            where = ".".join((*trail, str(key)))
            if key in LIST_FIELDS and not (isinstance(value, list) or (key == "resources" and isinstance(value, dict))):
                return f"{where} is a {type(value).__name__}, not a list"
            if key in STRING_LIST_FIELDS and not all(isinstance(v, str) for v in value):
                return f"{where} holds something other than strings"
            if key in OBJECT_LIST_FIELDS and not all(isinstance(v, dict) for v in value):
                return f"{where} holds something other than mappings"
            if key in OBJECT_FIELDS and not isinstance(value, dict):
                return f"{where} is a {type(value).__name__}, not a mapping"
            if key in STRING_FIELDS and not isinstance(value, str) and key not in ("template",):
                return f"{where} is a {type(value).__name__}, not a string"
            if key not in _OPAQUE:
                problem = shape_problem(value, (*trail, str(key)), depth + 1)
                if problem:
                    return problem
    elif isinstance(node, list):
        for i, value in enumerate(node):
            problem = shape_problem(value, (*trail, str(i)), depth + 1)
            if problem:
                return problem
    return None


@dataclass
class Skipped:
    """A document that was not reviewed, and why."""

    source: str
    reason: str

    def as_dict(self) -> dict:
        return {"source": self.source, "reason": self.reason}


@dataclass
class Reviewable:
    """One input the policies evaluate, with the identity a finding reports."""

    doc: dict
    resource: dict
    original: bool = True  # False for a synthetic Pod made from a custom resource
    text: str | None = None  # the object as JSON once checked; then ``doc`` may be cut to its kind

    def compact(self, keep_whole: bool) -> None:
        """Hold the object as JSON text only (a fraction of the memory of parsed YAML)."""
        self.text = json.dumps(self.doc, default=str)
        if not keep_whole:
            self.doc = {"kind": self.doc["kind"]}


def api_group(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def _core(group: str) -> bool:
    """Kubernetes' own API groups and the kit's pseudo-kinds: no pods outside POD_KINDS."""
    return "." not in group or group.endswith(".k8s.io") or group == KIT_API_GROUP


def display_name(meta: dict) -> str:
    name = meta.get("name")
    if isinstance(name, str) and name:
        return name
    generate = meta.get("generateName")
    if isinstance(generate, str) and generate:
        return f"{generate}*"
    return ""


def identity(doc: dict, source: str) -> dict:
    meta = doc.get("metadata") or {}
    namespace = meta.get("namespace")
    return {
        "kind": doc["kind"],
        "namespace": namespace if isinstance(namespace, str) else "",
        "name": display_name(meta),
        "source": source,
    }


def _walk(node, path: tuple[str, ...], trail: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], object, object]]:
    """(trail, value, parent) for every value at ``path``."""
    if not path:
        yield trail, node, None
        return
    head, rest = path[0], path[1:]
    if head == "*":
        entries = enumerate(node) if isinstance(node, list) else node.items() if isinstance(node, dict) else ()
        for key, value in entries:
            yield from _walk(value, rest, (*trail, str(key)))
    elif isinstance(node, dict) and head in node:
        for found_trail, value, parent in _walk(node[head], rest, (*trail, head)):
            yield found_trail, value, parent if parent is not None else node


def _pod_spec_shaped(value) -> bool:
    return isinstance(value, dict) and any(isinstance(value.get(f), list) for f in POD_SPEC_FIELDS)


def _by_shape(node, trail: tuple[str, ...], depth: int = 0) -> Iterator[tuple[tuple[str, ...], dict]]:
    if depth > 50:
        return
    if _pod_spec_shaped(node):
        yield trail, node
        return
    entries = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in entries:
        yield from _by_shape(value, (*trail, str(key)), depth + 1)


def _stray_images(node, trail: tuple[str, ...], inside: set[int], depth: int = 0) -> Iterator[str]:
    if id(node) in inside or depth > 50:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "image" and isinstance(value, str):
                yield ".".join((*trail, key))
            else:
                yield from _stray_images(value, (*trail, str(key)), inside, depth + 1)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _stray_images(value, (*trail, str(i)), inside, depth + 1)


def _kserve_component(component: dict, name: str) -> dict:
    spec = {k: v for k, v in component.items() if not (isinstance(v, dict) and any(c in v for c in _CONTAINER_KEYS))}
    extra = [{"name": f"{name}.{k}", **v} for k, v in component.items() if k not in spec and isinstance(v, dict)]
    inline = component.get("containers")
    containers: list = inline if isinstance(inline, list) else []
    if extra:
        spec["containers"] = [*containers, *extra]
    return spec


def pod_specs_of(doc: dict) -> tuple[list[tuple[str, dict, dict]], list[str]]:
    """Pod specs inside a custom resource: (path, pod spec, template metadata), and stray images."""
    group = api_group(str(doc.get("apiVersion", "")))
    kind = doc["kind"]
    if _core(group):
        return [], []
    found: list[tuple[str, dict, dict]] = []
    taken: set[int] = set()
    for path in POD_SPEC_LOCATIONS.get((group, kind), ()):
        for trail, value, parent in _walk(doc, path, ()):
            if not isinstance(value, dict):
                continue
            spec = _kserve_component(value, trail[-1]) if (group, kind) in KSERVE_COMPONENT_KINDS else value
            if not _pod_spec_shaped(spec):
                continue
            meta = parent.get("metadata") if trail[-1] == "spec" and isinstance(parent, dict) else None
            found.append((".".join(trail), spec, meta if isinstance(meta, dict) else {}))
            taken.add(id(value))
    for trail, value in _by_shape(doc, ()):
        if id(value) not in taken:
            found.append((".".join(trail), value, {}))
            taken.add(id(value))
    return found, list(_stray_images(doc, (), taken))


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def synthetic_pod(owner: dict, path: str, spec: dict, template_meta: dict) -> dict:
    meta = owner.get("metadata") or {}
    labels = template_meta.get("labels")
    annotations = {**_mapping(meta.get("annotations")), **_mapping(template_meta.get("annotations"))}
    subject = f"{owner['kind']} {display_name(meta) or '(unnamed)'} at {path}"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": display_name(meta) or "(unnamed)",
            "namespace": meta.get("namespace") if isinstance(meta.get("namespace"), str) else "",
            "labels": labels if isinstance(labels, dict) else {},
            "annotations": {**annotations, SUBJECT_ANNOTATION: subject},
        },
        "spec": spec,
    }


def expand(doc, source: str, out: list[Reviewable], skip: Callable) -> None:
    """``doc`` as reviewable inputs (Lists unpacked, pods in custom resources made explicit)."""
    if not isinstance(doc, dict):
        skip(Skipped(source, f"a {type(doc).__name__}, not a mapping: not a Kubernetes object"))
        return
    kind, api_version = doc.get("kind"), doc.get("apiVersion")
    if not isinstance(kind, str) or not kind or not isinstance(api_version, str) or not api_version:
        skip(Skipped(source, "not a Kubernetes object (needs apiVersion and kind as strings)"))
        return
    if kind.endswith("List") and "items" in doc:
        items = doc["items"]
        if not isinstance(items, list):
            skip(Skipped(source, f"{kind}: items is not a list"))
            return
        for i, item in enumerate(items):
            expand(item, f"{source}/items[{i}]", out, skip)
        return
    if "metadata" in doc and not isinstance(doc["metadata"], dict):
        skip(Skipped(source, f"{kind}: metadata is not a mapping (the API server would refuse it)"))
        return
    resource = identity(doc, source)
    out.append(Reviewable(doc, resource))
    if kind in POD_KINDS:
        return
    specs, strays = pod_specs_of(doc)
    for path, spec, template_meta in specs:
        out.append(Reviewable(synthetic_pod(doc, path, spec, template_meta), {**resource, "path": path}, original=False))
    for path in strays:
        skip(Skipped(source, f"{kind} {resource['name'] or '(unnamed)'}: image at {path} is outside any pod spec the review knows; not reviewed"))
