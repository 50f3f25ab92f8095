"""`privllm up` on a machine without the tools fails fast and names each one."""

from __future__ import annotations

import os
import subprocess
import sys


def run(args, path):
    env = {**os.environ, "PATH": path}
    return subprocess.run([sys.executable, "-m", "privllm.cli", *args], capture_output=True, text=True, env=env, timeout=120)


def test_local_up_names_every_missing_tool(tmp_path):
    r = run(["up", "--stack", "local"], str(tmp_path))
    assert r.returncode == 1
    for tool in ("pulumi is not installed", "docker is not installed", "kind is not installed", "kubectl is not installed"):
        assert tool in r.stderr, r.stderr
    assert "privllm plan" in r.stderr and "Traceback" not in r.stderr


def test_docker_without_engine_is_named(tmp_path):
    fake = tmp_path / "docker"
    fake.write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n")
    fake.chmod(0o755)
    r = run(["up", "--stack", "local"], str(tmp_path))
    assert r.returncode == 1
    assert "docker is installed but its engine is not reachable" in r.stderr


def test_cloud_stack_needs_pulumi_and_the_aws_cli(tmp_path):
    r = run(["preview", "--stack", "reference"], str(tmp_path))
    assert r.returncode == 1
    assert "pulumi is not installed" in r.stderr and "aws is not installed" in r.stderr and "kind" not in r.stderr


def test_bad_stack_is_reported_before_tools(tmp_path):
    r = run(["up", "--stack", str(tmp_path / "missing.yaml")], str(tmp_path))
    assert r.returncode == 2 and "no such stack file" in r.stderr
