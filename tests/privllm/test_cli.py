"""The CLI as a user runs it: exit codes and messages, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import SHIPPED_STACKS


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "privllm.cli", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_validate_accepts_shipped(stack):
    r = run("config", "validate", "--stack", stack)
    assert r.returncode == 0, r.stderr
    assert "valid" in r.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("config:\n  privllm:target: [\n", "not valid YAML at line 3"),
        ("config: 3\n", "top-level 'config:' mapping"),
        (
            "config:\n  privllm:target: {kind: eks, cluster_name: a, region: r}\n  privllm:colour: blue\n",
            "privllm:colour: unknown key",
        ),
        ("config:\n  privllm:target: {kind: gke, cluster_name: a}\n", "privllm:target.kind"),
    ],
)
def test_validate_rejects_broken(tmp_path, content, expected):
    f = tmp_path / "Pulumi.broken.yaml"
    f.write_text(content)
    r = run("config", "validate", "--stack", str(f))
    assert r.returncode == 2
    assert expected in r.stderr
    assert str(f) in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_show_prints_resolved_defaults():
    r = run("config", "show", "--stack", "local")
    assert r.returncode == 0, r.stderr
    cfg = json.loads(r.stdout)
    assert cfg["gateway"]["rate_limits"]["requests_per_minute"] == 60  # a default, not in the file
    assert cfg["target"]["kind"] == "kind"


def test_dev_gateway_option_out_of_range_names_the_option_not_the_upstream():
    from typer.testing import CliRunner

    from privllm.cli import app

    result = CliRunner().invoke(app, ["gateway", "--dev", "--upstream", "http://127.0.0.1:9", "--dev-rpm", "10000000"])
    assert result.exit_code == 2
    assert "--dev-rpm" in result.output and "cannot list the models" not in result.output


def test_dev_gateway_at_the_largest_rpm_gets_a_valid_token_budget():
    from privllm.serving.gateway.server import dev_state

    state, _ = dev_state("http://unused", 1_000_000, None, models=["m"])
    assert state.config.rate_limits.requests_per_minute == 1_000_000
    assert state.config.rate_limits.tokens_per_minute == 100_000_000  # the model's ceiling, not rpm x 2000
