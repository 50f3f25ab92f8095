"""`privllm plan` as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import yaml

from privllm.paths import INFRA
from privllm.stack.model import is_public_registry


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "privllm.cli", *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_plan_without_arguments_plans_the_reference_stack(tmp_path):
    r = run("plan", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert "reference stack" in first
    out = tmp_path / "build" / "plan"
    manifests = list((out / "manifests").rglob("*.yaml"))
    assert len(manifests) > 60
    kinds = {doc["kind"] for f in manifests for doc in yaml.safe_load_all(f.read_text()) if doc}
    assert {"Namespace", "NetworkPolicy", "Deployment", "ScaledObject", "PrometheusRule", "RoleBinding"} <= kinds
    cloud = json.loads((out / "cloud.json").read_text())
    assert any(r["type"] == "aws:eks/cluster:Cluster" for r in cloud["resources"])
    assert {h["chart"].rsplit("/", 1)[1] for h in cloud["helm_releases"]} >= {"keda", "gatekeeper", "vault", "opentelemetry-collector"}
    flows = (out / "flows.md").read_text()
    assert "```mermaid" in flows and "privllm-gateway/llm-gateway" in flows
    assert "Allowed network flows" in r.stdout and "Resources per component" in r.stdout


def test_reference_plan_names_no_public_registry(tmp_path):
    assert run("plan", "--out", str(tmp_path / "p")).returncode == 0
    images = [line for line in (tmp_path / "p" / "images.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert images and not [i for i in images if is_public_registry(i)]
    assert all(i.startswith("registry.corp.internal:5000/mirror/") for i in images)
    cloud = json.loads((tmp_path / "p" / "cloud.json").read_text())
    for h in cloud["helm_releases"]:
        assert not is_public_registry(h["chart"])


def test_bad_stack_stops_before_anything_is_written(tmp_path):
    stack = tmp_path / "Pulumi.bad.yaml"
    stack.write_text((INFRA / "Pulumi.reference.yaml").read_text().replace("gpu: h100-80gb", "gpu: h100-40gb"))
    r = run("plan", "--stack", str(stack), "--out", str(tmp_path / "out"))
    assert r.returncode == 2
    assert "privllm:gpu_pools[0].gpu" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_plan_replaces_stale_output(tmp_path):
    out = tmp_path / "p"
    (out / "manifests" / "stale").mkdir(parents=True)
    (out / "manifests" / "stale" / "old.yaml").write_text("kind: Old\n")
    assert run("plan", "--stack", "local", "--out", str(out)).returncode == 0
    assert not (out / "manifests" / "stale").exists()
