"""Kubernetes object helpers: schema validation and walking pod templates."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import jsonschema
from kubernetes_validate.utils import all_versions, major_minor, schema_contents
from referencing import Registry, Resource

# Custom resources the kit creates; their controllers (installed from the mirror) own the schemas.
KNOWN_CRDS = {
    "keda.sh/v1alpha1": {"ScaledObject"},
    "leaderworkerset.x-k8s.io/v1": {"LeaderWorkerSet"},
    "monitoring.coreos.com/v1": {"ServiceMonitor", "PrometheusRule"},
    "secrets-store.csi.x-k8s.io/v1": {"SecretProviderClass"},
    "templates.gatekeeper.sh/v1": {"ConstraintTemplate"},
    "constraints.gatekeeper.sh/v1beta1": None,  # one kind per ConstraintTemplate
}


def is_known_crd(obj: dict) -> bool:
    kinds = KNOWN_CRDS.get(obj.get("apiVersion", ""), set())
    return kinds is None or obj.get("kind") in kinds


@functools.cache
def _validator(kubernetes_version: str, kind: str, api_version: str) -> jsonschema.Validator | None:
    """One validator per kind, built once from kubernetes-validate's bundled strict schemas.

    kubernetes_validate.validate() re-reads the multi-megabyte definitions file on every
    call (about 20 ms each); a plan validates ~100 objects, so the schemas are cached here.
    """
    version = [v for v in all_versions() if major_minor(v) <= kubernetes_version][-1]
    folder = f"kubernetes-json-schema/v{version}-local-strict"
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = schema_contents(f"{folder}/{kind.lower()}-{group}.json", kubernetes_version)
    except FileNotFoundError:
        return None
    definitions = _definitions(folder, kubernetes_version)
    registry = definitions @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


@functools.cache
def _definitions(folder: str, kubernetes_version: str) -> Resource:
    return Resource.from_contents(schema_contents(f"{folder}/_definitions.json", kubernetes_version))


def schema_errors(obj: dict, kubernetes_version: str) -> list[str]:
    """Errors of ``obj`` against the OpenAPI schema of ``kubernetes_version`` (e.g. "1.33"); [] when valid."""
    if is_known_crd(obj):
        return [] if obj.get("metadata", {}).get("name") else ["custom resource without metadata.name"]
    validator = _validator(kubernetes_version, str(obj.get("kind")), str(obj.get("apiVersion")))
    if validator is None:
        return [f"no Kubernetes {kubernetes_version} schema for {obj.get('apiVersion')}/{obj.get('kind')}"]
    return [f"{'.'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in validator.iter_errors(obj)]


def pod_specs(obj: dict) -> Iterator[dict]:
    """Every pod spec inside an object (Pod, workload templates, LeaderWorkerSet leader and worker)."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        yield spec
    elif kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        yield (spec.get("template") or {}).get("spec") or {}
    elif kind == "CronJob":
        yield ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec") or {}
    elif kind == "LeaderWorkerSet":
        lwt = spec.get("leaderWorkerTemplate") or {}
        for key in ("leaderTemplate", "workerTemplate"):
            if key in lwt:
                yield (lwt[key] or {}).get("spec") or {}


def containers(pod_spec: dict) -> Iterator[dict]:
    for key in ("initContainers", "containers", "ephemeralContainers"):
        yield from pod_spec.get(key) or []
