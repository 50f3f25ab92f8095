"""privllm review on growing manifest sets (up to 50 MB): wall time and peak memory of a cold
`privllm review --manifests` process, and checkov on the smallest set for comparison.

Run: python bench/review_large_input.py [--sizes 5,25,50] [--no-checkov]
The manifests are generated (a mix of workloads, Services, ConfigMaps, NetworkPolicies and
RBAC, some of them misconfigured), written in files of about 1 MB like a large rendered plan.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.common import ROOT, peer

MB = 1024 * 1024
FILE_BYTES = MB


def _objects(i: int) -> list[dict]:
    ns = f"team-{i % 50}"
    labels = {"app.kubernetes.io/name": f"app-{i}"}
    container = {
        "name": "app",
        "image": f"registry.corp.internal/mirror/app-{i % 40}:1.{i % 9}.0",
        "args": ["--port", "8080", "--log-level", "info"],
        "env": [{"name": f"SETTING_{k}", "value": f"value-{k}"} for k in range(6)],
        "ports": [{"containerPort": 8080, "name": "http"}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
        "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": i % 17 != 0, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"app-{i}", "namespace": ns, "labels": labels},
         "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                  "template": {"metadata": {"labels": labels}, "spec": {"automountServiceAccountToken": False, "containers": [container],
                                                                         "volumes": [{"name": "tmp", "emptyDir": {}}]}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"app-{i}", "namespace": ns, "labels": labels},
         "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 8080}]}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"app-{i}", "namespace": ns}, "data": {f"key-{k}": "x" * 64 for k in range(8)}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": f"app-{i}", "namespace": ns},
         "spec": {"podSelector": {"matchLabels": labels}, "policyTypes": ["Ingress"],
                  "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "client"}}}], "ports": [{"port": 8080}]}]}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": f"app-{i}", "namespace": ns},
         "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]},
    ]


def generate(folder: Path, size_mb: int) -> int:
    folder.mkdir(parents=True)
    written, objects, part, i = 0, 0, [], 0
    while written < size_mb * MB:
        part.append(yaml.safe_dump_all(_objects(i), sort_keys=False))
        i += 1
        objects += 5
        if sum(map(len, part)) >= FILE_BYTES:
            text = "---\n".join(part)
            (folder / f"part-{written // FILE_BYTES:04d}.yaml").write_text(text)
            written += len(text)
            part = []
    return objects


def measure(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: run the sizes smallest first.
    return elapsed, max(peak, before) / 1024, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="5,25,50")
    parser.add_argument("--no-checkov", action="store_true")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="privllm-bench-large-") as tmp:
        rows = []
        for size in sizes:
            folder = Path(tmp) / f"{size}mb"
            objects = generate(folder, size)
            elapsed, peak, r = measure([sys.executable, "-m", "privllm.cli", "review", "--manifests", str(folder), "--format", "json", "--output", str(Path(tmp) / f"{size}.json")])
            if r.returncode not in (0, 1):
                raise SystemExit(r.stderr)
            report = json.loads((Path(tmp) / f"{size}.json").read_text())
            rows.append((size, objects, elapsed, peak, len(report["findings"])))
            print(f"privllm review, {size} MB ({objects} objects): {elapsed:.1f} s, peak RSS {peak:.0f} MiB, {len(report['findings'])} findings", flush=True)
        if not args.no_checkov:
            checkov = peer("checkov", "checkov==3.3.30", "checkov")
            size = sizes[0]
            elapsed, _, c = measure([str(checkov), "-d", str(Path(tmp) / f"{size}mb"), "--framework", "kubernetes", "--quiet", "--compact", "-o", "json", "--skip-download"])
            ours = rows[0][2]
            print(f"checkov 3.3.30, {size} MB: {elapsed:.1f} s (exit {c.returncode}); privllm review is {elapsed / ours:.1f}x faster on the same files")
        base = rows[0]
        for size, _count, elapsed, peak, _findings in rows[1:]:
            print(f"{size} MB vs {base[0]} MB: time x{elapsed / base[2]:.1f}, peak memory x{peak / base[3]:.1f} for x{size / base[0]:.0f} input")


if __name__ == "__main__":
    main()
