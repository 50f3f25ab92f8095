"""`privllm preflight --stack onprem` against a stand-in API server, through the real Kubernetes client."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from privllm.preflight import KubernetesCluster, PreflightError, run_checks
from privllm.stack import load_stack
from tests.privllm.kube_standin import StandInApiServer, onprem_cluster

CONTEXT = "corp-dc1-admin"  # the onprem stack's kube_context


@pytest.fixture
def onprem():
    return load_stack("onprem")


def _checks(onprem, tmp_path, monkeypatch, **knobs):
    with StandInApiServer(onprem_cluster(**knobs)) as server:
        monkeypatch.setenv("KUBECONFIG", str(server.kubeconfig(tmp_path / "kubeconfig", CONTEXT)))
        return {c.name: c for c in run_checks(onprem, KubernetesCluster(CONTEXT))}


def test_a_prepared_cluster_passes_every_check(onprem, tmp_path, monkeypatch):
    checks = _checks(onprem, tmp_path, monkeypatch)
    assert set(checks) == {"network-policy-cni", "runtime-class", "gpu-pool a100", "weights llama-8b", "weights mixtral"}
    assert all(c.ok for c in checks.values()), [c.line() for c in checks.values()]
    assert "calico-system/calico-node" in checks["network-policy-cni"].detail


@pytest.mark.parametrize(
    ("knobs", "check", "fragment"),
    [
        ({"cni_ready": 1}, "network-policy-cni", "1/3 pods ready"),
        ({"runtime_class": None}, "runtime-class", "RuntimeClass nvidia not found"),
        ({"gpu_nodes": 1}, "gpu-pool a100", "needs at least 2"),
        ({"taint": False}, "gpu-pool a100", "lacks taint nvidia.com/gpu=present:NoSchedule"),
        ({"claim_phase": None}, "weights llama-8b", "privllm-serving/llm-weights not found"),
        ({"claim_phase": "Pending"}, "weights mixtral", "is Pending, not Bound"),
    ],
)
def test_each_missing_prerequisite_is_named(onprem, tmp_path, monkeypatch, knobs, check, fragment):
    checks = _checks(onprem, tmp_path, monkeypatch, **knobs)
    assert not checks[check].ok and fragment in checks[check].detail, checks[check].line()
    assert sum(not c.ok for c in checks.values()) == (2 if "claim_phase" in knobs else 1)


def test_an_unknown_context_is_a_clear_error(onprem, tmp_path, monkeypatch):
    with StandInApiServer({}) as server:
        monkeypatch.setenv("KUBECONFIG", str(server.kubeconfig(tmp_path / "kubeconfig", "other")))
        with pytest.raises(PreflightError, match="kubeconfig context 'corp-dc1-admin'"):
            KubernetesCluster(CONTEXT)


def _cli(tmp_path, server, *args):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    standin_pulumi = bin_dir / "pulumi"  # stand-in: only its presence on PATH is checked
    standin_pulumi.write_text("#!/bin/sh\nexit 0\n")
    standin_pulumi.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "KUBECONFIG": str(server.kubeconfig(tmp_path / "kubeconfig", CONTEXT))}
    return subprocess.run([sys.executable, "-m", "privllm.cli", "preflight", *args], capture_output=True, text=True, env=env, timeout=120)


def test_cli_prints_one_line_per_check_and_exits_0(tmp_path):
    with StandInApiServer(onprem_cluster()) as server:
        r = _cli(tmp_path, server, "--stack", "onprem")
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 5 and all(line.startswith("ok") for line in lines)


def test_cli_exits_1_and_names_the_failure(tmp_path):
    with StandInApiServer(onprem_cluster(runtime_class=None)) as server:
        r = _cli(tmp_path, server, "--stack", "onprem")
    assert r.returncode == 1
    assert "FAIL  runtime-class: RuntimeClass nvidia not found" in r.stdout and "Traceback" not in r.stderr


def test_cli_unreachable_api_server_is_one_message(tmp_path):
    with StandInApiServer({}) as server:
        pass  # stopped: its port now refuses connections
    r = _cli(tmp_path, server, "--stack", "onprem")
    assert r.returncode == 1 and "unreachable" in r.stderr and "Traceback" not in r.stderr


def test_cli_on_a_provisioned_target_checks_only_tools(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no pulumi on PATH
    r = subprocess.run([sys.executable, "-m", "privllm.cli", "preflight", "--stack", "reference"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 1
    assert "target eks: the program provisions the cluster's prerequisites" in r.stdout
    assert "FAIL  tool pulumi: pulumi is not installed" in r.stdout
