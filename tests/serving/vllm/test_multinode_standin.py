"""The chart's rendered multi-node command lines, run as two processes with the vLLM stand-in in
place of `vllm`: the group forms whichever rank starts first, and the leader is ready only then."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time

import httpx
import pytest
import yaml

from privllm.infra import helm
from privllm.paths import CHARTS, ROOT
from tests.servers import free_port


def _rendered_argv() -> tuple[list[str], list[str]]:
    values = yaml.safe_load((CHARTS / "vllm-server/ci/multinode-values.yaml").read_text())
    out = helm.render("vllm-server", values, release="m", namespace="p")
    lws = next(o for o in out.objects if o["kind"] == "LeaderWorkerSet")["spec"]["leaderWorkerTemplate"]
    argv = []
    for role in ("leaderTemplate", "workerTemplate"):
        script = lws[role]["spec"]["containers"][0]["args"][0]
        argv.append(shlex.split(next(ln for ln in script.splitlines() if ln.startswith("exec ")))[1:])
    return argv[0], argv[1]


def _localise(argv: list[str], api_port: int, master_port: int, worker_index: int) -> list[str]:
    """What the kubelet and LWS make of the command on one machine: $(VAR) expanded, ports free."""
    out = []
    for i, arg in enumerate(argv):
        previous = argv[i - 1] if i else ""
        arg = arg.replace("$(LWS_LEADER_ADDRESS)", "127.0.0.1").replace("$(LWS_WORKER_INDEX)", str(worker_index))
        if previous == "--port":
            arg = str(api_port)
        elif previous == "--master-port":
            arg = str(master_port)
        elif previous == "--host":
            arg = "127.0.0.1"
        out.append(arg)
    assert out[0] == "vllm"
    return [sys.executable, "-m", "privllm.serving.vllm.standin", *out[1:]]


def _health(port: int) -> int | None:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code
    except httpx.TransportError:
        return None


def _wait(condition, what: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit  # a bound on a hang, not a timing assertion
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("first", ["leader", "worker"])
def test_rendered_leader_and_worker_form_a_group_in_either_order(first):
    leader_argv, worker_argv = _rendered_argv()
    api, master = free_port(), free_port()
    commands = {"leader": _localise(leader_argv, api, master, 0), "worker": _localise(worker_argv, api, master, 1)}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = {}
    try:
        procs[first] = subprocess.Popen(commands[first], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if first == "leader":
            _wait(lambda: _health(api) is not None, "the leader serves /health")
            assert _health(api) == 503  # alone, the leader is not ready: the worker must be able to start without it
        second = "worker" if first == "leader" else "leader"
        procs[second] = subprocess.Popen(commands[second], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait(lambda: _health(api) == 200, "the group formed and the leader is ready")
        r = httpx.post(f"http://127.0.0.1:{api}/v1/completions", json={"model": "llama-3.1-405b-instruct", "prompt": "hi"}, timeout=10)
        assert r.status_code == 200 and r.json()["choices"][0]["text"] == "Echo: hi"
        assert procs["worker"].poll() is None  # the headless rank stays in the group
    finally:
        for p in procs.values():
            p.terminate()
            p.wait(10)
