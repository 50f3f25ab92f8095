"""The kind end-to-end suite: opt-in (PRIVLLM_E2E=1) and only where Docker, kind, kubectl and Pulumi exist.

`privllm up --stack local` runs once per session; `privllm down --stack local` at the end unless
PRIVLLM_E2E_KEEP=1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from privllm.stack import load_stack

TOOLS = ("docker", "kind", "kubectl", "pulumi")


def _missing() -> list[str]:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if "docker" not in missing and subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        missing.append("docker engine (docker info fails)")
    return missing


def pytest_collection_modifyitems(config, items):
    e2e = [i for i in items if "tests/e2e/" in str(i.fspath)]
    if not e2e:
        return
    reason = None
    if os.environ.get("PRIVLLM_E2E") != "1":
        reason = "kind end-to-end suite is opt-in: set PRIVLLM_E2E=1 (needs Docker, kind, kubectl and the Pulumi CLI)"
    elif _missing():
        reason = "kind end-to-end suite needs: " + ", ".join(_missing())
    for item in e2e:
        item.add_marker(pytest.mark.e2e)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


class Cluster:
    def __init__(self) -> None:
        self.cfg = load_stack("local")
        self.context = f"kind-{self.cfg.target.cluster_name}"

    def kubectl(self, *args, check=True, input=None, timeout=120) -> subprocess.CompletedProcess:
        r = subprocess.run(["kubectl", "--context", self.context, *args], capture_output=True, text=True, input=input, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)}: {r.stderr}")
        return r

    def privllm(self, *args, env=None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "privllm.cli", *args], capture_output=True, text=True, timeout=1800, env={**os.environ, **(env or {})})

    def wait_rollout(self, namespace: str, kind_name: str, timeout: str = "600s") -> None:
        self.kubectl("-n", namespace, "rollout", "status", kind_name, f"--timeout={timeout}", timeout=700)

    def run_pod(self, namespace: str, name: str, labels: dict, command: str, image: str) -> subprocess.CompletedProcess:
        """A restricted pod running a shell command; returns its result once it ends."""
        overrides = {
            "metadata": {"labels": labels},
            "spec": {
                "automountServiceAccountToken": False,
                "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{
                    "name": name, "image": image, "command": ["sh", "-c", command],
                    "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}},
                }],
            },
        }
        return self.kubectl("-n", namespace, "run", name, "--rm", "-i", "--restart=Never", f"--image={image}",
                            f"--overrides={json.dumps(overrides)}", check=False, timeout=300)


@pytest.fixture(scope="session")
def cluster():
    c = Cluster()
    r = c.privllm("up", "--stack", "local")
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    n = c.cfg.namespace
    c.wait_rollout(f"{n}-gateway", "deploy/llm-gateway")
    yield c
    if os.environ.get("PRIVLLM_E2E_KEEP") != "1":
        c.privllm("down", "--stack", "local")


def eventually(check, timeout=300, every=5):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            return check()
        except AssertionError as exc:
            last = exc
            time.sleep(every)
    raise last


@pytest.fixture(scope="session")
def api_key(cluster):
    """A key issued by `privllm keys create` into the in-cluster Vault (reached through a port-forward).

    Needs VAULT_TOKEN for the initialised in-cluster Vault (see the README's e2e guide).
    """
    if not os.environ.get("VAULT_TOKEN"):
        pytest.skip("set VAULT_TOKEN to a token of the in-cluster Vault (README: running the e2e suite)")
    forward = subprocess.Popen(["kubectl", "--context", cluster.context, "-n", "privllm-vault", "port-forward", "svc/vault", "18200:8200"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)
        env = {"VAULT_ADDR": "https://127.0.0.1:18200"}
        model = cluster.cfg.models[0].served_name
        created = cluster.privllm("keys", "create", "--principal", "e2e", "--models", model, "--stack", "local", env=env)
        assert created.returncode == 0, created.stderr
        yield created.stdout.split("api-key: ")[1].strip()
    finally:
        forward.terminate()
