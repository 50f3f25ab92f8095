"""Kubernetes object helpers: schema validation and walking pod templates."""

from __future__ import annotations

from collections.abc import Iterator

import kubernetes_validate

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


def schema_errors(obj: dict, kubernetes_version: str) -> list[str]:
    """Errors of ``obj`` against the OpenAPI schema of ``kubernetes_version`` (e.g. "1.33"); [] when valid."""
    if is_known_crd(obj):
        return [] if obj.get("metadata", {}).get("name") else ["custom resource without metadata.name"]
    try:
        kubernetes_validate.validate(obj, f"{kubernetes_version}.0", strict=True)
    except kubernetes_validate.ValidationError as exc:
        path = ".".join(str(p) for p in exc.path)
        return [f"{path}: {exc.message}"]
    except kubernetes_validate.SchemaNotFoundError as exc:
        return [f"no schema for {obj.get('apiVersion')}/{obj.get('kind')}: {exc}"]
    return []


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
