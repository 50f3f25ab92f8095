"""A stand-in Kubernetes API server (there is no cluster on these machines): plain HTTP on a
loopback port, answering the few GET paths `privllm preflight` reads with recorded objects in
the API's JSON shapes, and 404 with a Status body for anything else."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml


def _list(kind: str, api_version: str, items: list[dict]) -> dict:
    return {"kind": f"{kind}List", "apiVersion": api_version, "metadata": {"resourceVersion": "1"}, "items": items}


def onprem_cluster(*, cni_ready: int = 3, runtime_class: str | None = "nvidia", gpu_nodes: int = 2, taint: bool = True, claim_phase: str | None = "Bound") -> dict[str, dict]:
    """Recorded responses of a healthy on-prem cluster for the onprem stack, with knobs to break it."""
    nodes = []
    for i in range(gpu_nodes):
        nodes.append(
            {
                "metadata": {"name": f"gpu-{i}", "labels": {"privllm.io/gpu-pool": "a100", "corp.internal/gpu-class": "a100"}},
                "spec": {"taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}] if taint else []},
                "status": {"allocatable": {"nvidia.com/gpu": "8", "cpu": "96"}},
            }
        )
    nodes.append({"metadata": {"name": "cpu-0", "labels": {}}, "spec": {}, "status": {"allocatable": {"cpu": "16"}}})
    paths = {
        "/apis/apps/v1/daemonsets": _list(
            "DaemonSet",
            "apps/v1",
            [{"metadata": {"name": "calico-node", "namespace": "calico-system"},
              "spec": {"selector": {"matchLabels": {"k8s-app": "calico-node"}},
                       "template": {"metadata": {"labels": {"k8s-app": "calico-node"}}, "spec": {"containers": [{"name": "calico-node", "image": "calico/node"}]}}},
              "status": {"desiredNumberScheduled": 3, "numberReady": cni_ready, "currentNumberScheduled": 3, "numberMisscheduled": 0}}],
        ),
        "/apis/node.k8s.io/v1/runtimeclasses": _list(
            "RuntimeClass", "node.k8s.io/v1", [{"metadata": {"name": runtime_class}, "handler": "nvidia"}] if runtime_class else []
        ),
        "/api/v1/nodes": _list("Node", "v1", nodes),
    }
    if claim_phase:
        paths["/api/v1/namespaces/privllm-serving/persistentvolumeclaims/llm-weights"] = {
            "kind": "PersistentVolumeClaim",
            "apiVersion": "v1",
            "metadata": {"name": "llm-weights", "namespace": "privllm-serving"},
            "spec": {"accessModes": ["ReadOnlyMany"]},
            "status": {"phase": claim_phase},
        }
    return paths


class StandInApiServer:
    def __init__(self, responses: dict[str, dict]):
        self.responses = responses
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                path = self.path.split("?", 1)[0]
                outer.requests.append(path)
                body = outer.responses.get(path)
                status = 200 if body is not None else 404
                if body is None:
                    body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def kubeconfig(self, path: Path, context: str) -> Path:
        path.write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": "standin", "cluster": {"server": self.url}}],
                    "users": [{"name": "standin", "user": {"token": "standin-token"}}],
                    "contexts": [{"name": context, "context": {"cluster": "standin", "user": "standin"}}],
                    "current-context": context,
                }
            )
        )
        return path
