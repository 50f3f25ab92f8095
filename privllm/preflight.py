"""`privllm preflight`: what an existing cluster must already provide, checked against it.

The stack states the prerequisites (``privllm:prerequisites`` and the GPU pools); each check
reads the cluster through :class:`ClusterReader` and reports one line. Nothing is changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

from privllm.facts import LABEL_GPU_POOL
from privllm.stack import StackConfig

GPU_RESOURCE = "nvidia.com/gpu"
# The DaemonSet each NetworkPolicy-enforcing CNI runs on every node.
CNI_DAEMONSETS = {"calico": "calico-node", "cilium": "cilium", "antrea": "antrea-agent", "kube-router": "kube-router"}


@dataclass(frozen=True)
class DaemonSet:
    namespace: str
    name: str
    desired: int
    ready: int


@dataclass(frozen=True)
class Node:
    name: str
    labels: dict[str, str]
    taints: tuple[tuple[str, str, str], ...]  # (key, value, effect)
    gpus: int  # allocatable nvidia.com/gpu


@dataclass(frozen=True)
class Claim:
    phase: str
    access_modes: tuple[str, ...]


class ClusterReader(Protocol):
    def daemonsets(self) -> list[DaemonSet]: ...
    def runtime_classes(self) -> dict[str, str]: ...  # name -> handler
    def nodes(self) -> list[Node]: ...
    def claim(self, namespace: str, name: str) -> Claim | None: ...


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


class PreflightError(Exception):
    """The cluster could not be read (no kubeconfig context, unreachable API); the message says which."""


def check_cni(cfg: StackConfig, cluster: ClusterReader) -> Check:
    cni = cfg.onprem.network_policy_cni
    wanted = CNI_DAEMONSETS[cni]
    found = [d for d in cluster.daemonsets() if d.name == wanted]
    if not found:
        return Check("network-policy-cni", False, f"no {wanted} DaemonSet: {cni} is not running, NetworkPolicies would not be enforced")
    d = found[0]
    if d.ready < d.desired or d.desired == 0:
        return Check("network-policy-cni", False, f"{d.namespace}/{d.name} has {d.ready}/{d.desired} pods ready")
    return Check("network-policy-cni", True, f"{cni}: {d.namespace}/{d.name} ready on {d.ready}/{d.desired} nodes")


def check_runtime_class(cfg: StackConfig, cluster: ClusterReader) -> Check:
    name = cfg.onprem.runtime_class
    handler = cluster.runtime_classes().get(name)
    if handler is None:
        return Check("runtime-class", False, f"RuntimeClass {name} not found; GPU pods request it (create it for the NVIDIA container runtime's handler)")
    return Check("runtime-class", True, f"RuntimeClass {name} (handler {handler})")


def check_gpu_pool(pool, cluster: ClusterReader) -> Check:
    wanted_labels = {LABEL_GPU_POOL: pool.name, **pool.labels}
    nodes = [n for n in cluster.nodes() if all(n.labels.get(k) == v for k, v in wanted_labels.items())]
    name = f"gpu-pool {pool.name}"
    labels = ",".join(f"{k}={v}" for k, v in wanted_labels.items())
    if len(nodes) < max(pool.min_nodes, 1):
        return Check(name, False, f"{len(nodes)} nodes labelled {labels}; the pool needs at least {max(pool.min_nodes, 1)}")
    for node in nodes:
        missing = [f"{t.key}={t.value}:{t.effect}" for t in pool.taints if (t.key, t.value, t.effect) not in node.taints]
        if missing:
            return Check(name, False, f"node {node.name} lacks taint {', '.join(missing)}: other workloads could take its GPUs")
        if node.gpus != pool.gpus_per_node:
            return Check(name, False, f"node {node.name} offers {node.gpus} allocatable {GPU_RESOURCE}, the pool states {pool.gpus_per_node}")
    return Check(name, True, f"{len(nodes)} nodes labelled {labels}, tainted, {pool.gpus_per_node} GPUs each")


def check_weights_claim(cfg: StackConfig, model, cluster: ClusterReader) -> Check:
    from privllm.infra.values import weights_claim
    from privllm.stack.naming import names

    namespace = names(cfg).serving_ns
    claim_name = weights_claim(model)
    name = f"weights {model.name}"
    claim = cluster.claim(namespace, claim_name)
    if claim is None:
        return Check(name, False, f"PersistentVolumeClaim {namespace}/{claim_name} not found; pre-populate the weights and create it before `privllm up`")
    if claim.phase != "Bound":
        return Check(name, False, f"PersistentVolumeClaim {namespace}/{claim_name} is {claim.phase}, not Bound")
    if "ReadOnlyMany" not in claim.access_modes:
        return Check(name, False, f"PersistentVolumeClaim {namespace}/{claim_name} is {list(claim.access_modes)}; weights are mounted ReadOnlyMany")
    return Check(name, True, f"{namespace}/{claim_name} Bound, ReadOnlyMany")


def run_checks(cfg: StackConfig, cluster: ClusterReader) -> list[Check]:
    """Every prerequisite of an existing cluster, one result each."""
    checks = [check_cni(cfg, cluster), check_runtime_class(cfg, cluster)]
    checks += [check_gpu_pool(pool, cluster) for pool in cfg.gpu_pools]
    checks += [check_weights_claim(cfg, m, cluster) for m in cfg.models if m.weights.uri.startswith("pvc://")]
    return checks


class KubernetesCluster:
    """:class:`ClusterReader` over the official Kubernetes client and a kubeconfig context."""

    def __init__(self, context: str):
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException

        # Read KUBECONFIG now: the client library captures it once, at import.
        kubeconfig = os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
        try:
            api_client = config.new_client_from_config(config_file=kubeconfig, context=context)
        except (ConfigException, OSError) as exc:
            raise PreflightError(f"kubeconfig context {context!r} (privllm:target.kube_context) cannot be loaded: {exc}") from None
        self._core = client.CoreV1Api(api_client)
        self._apps = client.AppsV1Api(api_client)
        self._node = client.NodeV1Api(api_client)
        self._context = context

    def _call(self, what: str, fn, *args, **kwargs):
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        try:
            return fn(*args, **kwargs)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise PreflightError(f"reading {what} from context {self._context!r} failed: HTTP {exc.status} {exc.reason}") from None
        except HTTPError as exc:
            raise PreflightError(f"the API server of context {self._context!r} is unreachable ({exc})") from None

    def daemonsets(self) -> list[DaemonSet]:
        items = self._call("DaemonSets", self._apps.list_daemon_set_for_all_namespaces).items
        return [DaemonSet(d.metadata.namespace, d.metadata.name, d.status.desired_number_scheduled or 0, d.status.number_ready or 0) for d in items]

    def runtime_classes(self) -> dict[str, str]:
        return {r.metadata.name: r.handler for r in self._call("RuntimeClasses", self._node.list_runtime_class).items}

    def nodes(self) -> list[Node]:
        out = []
        for n in self._call("Nodes", self._core.list_node).items:
            taints = tuple((t.key, t.value or "", t.effect) for t in (n.spec.taints or []))
            gpus = int((n.status.allocatable or {}).get(GPU_RESOURCE, "0"))
            out.append(Node(n.metadata.name, dict(n.metadata.labels or {}), taints, gpus))
        return out

    def claim(self, namespace: str, name: str) -> Claim | None:
        pvc = self._call(f"PersistentVolumeClaim {namespace}/{name}", self._core.read_namespaced_persistent_volume_claim, name, namespace)
        if pvc is None:
            return None
        return Claim(pvc.status.phase or "Unknown", tuple(pvc.spec.access_modes or ()))
