"""ModelServing: KEDA from the mirror, and one charts/vllm-server release per model with values
derived from StackConfig; s3:// weights are mounted read-only through Mountpoint for S3."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from privllm.infra.components.base import in_namespace, mirror_chart, mirror_image
from privllm.infra.values import vllm_values, weights_claim
from privllm.paths import CHARTS
from privllm.serving.vllm.coldstart import for_model as cold_start
from privllm.stack import StackConfig
from privllm.stack.kernels import kernel_lines
from privllm.stack.naming import names


@dataclass
class ModelServingArgs:
    cfg: StackConfig
    namespaces: dict | None = None


class ModelServing(pulumi.ComponentResource):
    def __init__(self, name: str, args: ModelServingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("privllm:model_serving:ModelServing", name, None, opts)
        cfg = args.cfg
        n = names(cfg)
        nss = args.namespaces or {}
        dep = lambda ns, *more: in_namespace(self, nss, ns, *more)  # noqa: E731
        keda = mirror_chart(
            f"{name}-keda",
            cfg,
            "keda",
            namespace=n.keda_ns,
            release="keda",
            values={
                "image": {
                    "keda": _registry_split(cfg, "keda"),
                    "metricsApiServer": _registry_split(cfg, "keda-metrics-apiserver"),
                    "webhooks": _registry_split(cfg, "keda-admission-webhooks"),
                },
                "podSecurityContext": {"operator": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}},
            },
            opts=dep(n.keda_ns),
        )
        controllers = [keda]
        if needs_leader_worker_set(cfg):
            controllers.append(self._leader_worker_set(name, cfg, dep(n.keda_ns)))
        self.releases = {}
        for model in cfg.models:
            extra = []
            if model.weights.uri.startswith("s3://"):
                extra.append(self._s3_weights(cfg, model, nss))
            if model.pool is None and model.weights.uri.startswith("pvc://"):
                extra.append(self._standin_weights(cfg, model, nss))
            self.releases[model.name] = k8s.helm.v4.Chart(
                f"{name}-{model.name}",
                chart=str(CHARTS / "vllm-server"),
                name=model.name,
                namespace=n.serving_ns,
                values=vllm_values(cfg, model),
                opts=dep(n.serving_ns, *controllers, *extra),
            )
        self.register_outputs(
            {
                "models": {m.name: n.vllm_fullname(m.name) for m in cfg.models},
                # The kernel each model runs and why (privllm/stack/kernels.py); infra/plan.py can print kernel_lines(cfg).
                "kernels": dict(zip([m.name for m in cfg.models], kernel_lines(cfg), strict=True)),
                "cold_start_seconds": {m.name: round(cold_start(cfg, m).total_s) for m in cfg.models if m.pool is not None},
            }
        )

    def _leader_worker_set(self, name: str, cfg: StackConfig, opts: pulumi.ResourceOptions) -> pulumi.Resource:
        """The LeaderWorkerSet controller, for models that span nodes; beside KEDA, with the other workload controllers."""
        image = mirror_image(cfg, "lws")
        return mirror_chart(
            f"{name}-lws",
            cfg,
            "lws",
            namespace=names(cfg).keda_ns,
            release="lws",
            values={
                "image": {"manager": {"repository": image["repository"], "tag": image["tag"], "pullPolicy": "IfNotPresent"}},
                "podSecurityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
            },
            opts=opts,
        )

    def _standin_weights(self, cfg: StackConfig, model, nss) -> pulumi.Resource:
        """kind stack: a claim with a tiny weights directory and its checksum manifest for the stand-in."""
        from privllm.infra.values import weights_claim, weights_subpath

        n = names(cfg)
        claim = weights_claim(model)
        deps = [nss[n.serving_ns]] if n.serving_ns in nss else []
        pvc = k8s.core.v1.PersistentVolumeClaim(
            f"{model.name}-standin-weights",
            metadata={"name": claim, "namespace": n.serving_ns, "labels": {"app.kubernetes.io/part-of": "privllm"}},
            spec={"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
            opts=pulumi.ResourceOptions(parent=self, depends_on=deps),
        )
        image = cfg.mirror.image_ref("vllm-standin")
        path = "/models/weights" + (f"/{weights_subpath(model)}" if weights_subpath(model) else "")
        container = {
            "name": "seed",
            "image": image,
            "command": ["vllm", "seed-weights", path, "--served-model-name", model.served_name],
            "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True,
                                "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "128Mi"}},
            "volumeMounts": [{"name": "weights", "mountPath": "/models/weights"}],
        }
        return k8s.batch.v1.Job(
            f"{model.name}-seed-weights",
            metadata={"name": f"{model.name}-seed-weights", "namespace": n.serving_ns, "labels": {"app.kubernetes.io/part-of": "privllm"}},
            spec={"backoffLimit": 2, "template": {"metadata": {"labels": {"app.kubernetes.io/name": "seed-weights"}},
                  "spec": _restricted_pod([container], [{"name": "weights", "persistentVolumeClaim": {"claimName": claim}}])}},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[pvc]),
        )

    def _s3_weights(self, cfg: StackConfig, model, nss) -> pulumi.Resource:
        """A static, read-only PV on the Mountpoint for S3 CSI driver, and its claim."""
        n = names(cfg)
        bucket, _, prefix = model.weights.uri.removeprefix("s3://").partition("/")
        claim = weights_claim(model)
        pv = k8s.core.v1.PersistentVolume(
            f"{claim}-pv",
            metadata={"name": f"{cfg.namespace}-{claim}", "labels": {"app.kubernetes.io/part-of": "privllm"}},
            spec={
                "capacity": {"storage": "1Ti"},
                "accessModes": ["ReadOnlyMany"],
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "",
                "claimRef": {"namespace": n.serving_ns, "name": claim},
                "mountOptions": ["read-only", f"region {cfg.target.region}", f"prefix {prefix}/" if prefix else "allow-other"],
                "csi": {"driver": "s3.csi.aws.com", "volumeHandle": f"{cfg.namespace}-{claim}", "volumeAttributes": {"bucketName": bucket}},
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        return k8s.core.v1.PersistentVolumeClaim(
            f"{claim}-pvc",
            metadata={"name": claim, "namespace": n.serving_ns, "labels": {"app.kubernetes.io/part-of": "privllm"}},
            spec={"accessModes": ["ReadOnlyMany"], "storageClassName": "", "volumeName": f"{cfg.namespace}-{claim}", "resources": {"requests": {"storage": "1Ti"}}},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[pv] + ([nss[n.serving_ns]] if n.serving_ns in nss else [])),
        )


def _restricted_pod(containers: list[dict], volumes: list[dict]) -> dict:
    return {
        "restartPolicy": "OnFailure",
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": containers,
        "volumes": volumes,
    }


def _registry_split(cfg: StackConfig, key: str) -> dict:
    """KEDA's chart joins registry/repository:tag itself: the mirror is the registry, the catalogue path the repository."""
    image = mirror_image(cfg, key)
    return {"registry": cfg.mirror.image_registry, "repository": cfg.mirror.images[key].repository, "tag": image["tag"]}


def needs_leader_worker_set(cfg: StackConfig) -> bool:
    """A model spans nodes (more GPUs than one node of its pool has): the chart renders a LeaderWorkerSet."""
    return any(m.pool is not None and m.gpus > cfg.pool(m.pool).gpus_per_node for m in cfg.models)
