"""A plan without the third-party charts says it is partial everywhere, and the review refuses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from privllm.infra.chart_source import CHARTS_ENV, PULL_DIR_ENV


def run(*args, cwd=None, tmp):
    env = {k: v for k, v in os.environ.items() if k != CHARTS_ENV} | {PULL_DIR_ENV: str(tmp / "pulled")}
    return subprocess.run([sys.executable, "-m", "privllm.cli", *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def partial(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("partial")
    r = run("plan", "--stack", "local", "--no-pull", "--out", str(tmp / "plan"), tmp=tmp)
    return tmp, r


def test_the_plan_succeeds_and_says_it_is_partial_in_every_output(partial):
    tmp, r = partial
    assert r.returncode == 0, r.stderr
    out = tmp / "plan"
    status = json.loads((out / "plan.json").read_text())
    count = len(status["releases"])
    assert count >= 8 and status["complete"] is False and len(status["unrendered"]) == count
    first = f"PARTIAL PLAN: {count} of {count} third-party releases were not rendered"
    assert first in r.stdout and "--charts DIR" in r.stdout
    assert (out / "summary.txt").read_text().count("PARTIAL PLAN") == 2  # at the top, and pointed to at the end
    images = (out / "images.txt").read_text().splitlines()
    assert images[0] == f"# {first}, so their objects, images and flows are missing here and unreviewed:"
    assert any(line.startswith("# To complete it:") for line in images)
    assert (out / "flows.md").read_text().startswith(f"> {first}")
    assert all(not r["rendered"] and "not in any chart cache" in r["reason"] for r in status["releases"])


def test_require_complete_fails_a_partial_plan(tmp_path):
    r = run("plan", "--stack", "local", "--no-pull", "--require-complete", "--out", str(tmp_path / "p"), tmp=tmp_path)
    assert r.returncode == 1 and "--require-complete: " in r.stderr and "third-party releases were not rendered" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_review_refuses_a_partial_plan_unless_told_to_accept_it(tmp_path):
    r = run("review", "--stack", "local", "--no-pull", tmp=tmp_path)
    assert r.returncode == 1 and "partial plan refused" in r.stderr and "--charts DIR" in r.stderr
    r = run("review", "--stack", "local", "--no-pull", "--accept-partial", tmp=tmp_path)
    assert "partial plan accepted (--accept-partial)" in r.stderr
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr


def test_reviewing_a_partial_plan_directory_is_refused_too(partial):
    tmp, _ = partial
    for target in (tmp / "plan", tmp / "plan" / "manifests"):
        r = run("review", "--manifests", str(target), tmp=tmp)
        assert r.returncode == 1 and "partial plan refused" in r.stderr, target


def test_a_charts_option_that_is_no_directory_is_a_usage_error(tmp_path):
    r = run("plan", "--charts", str(tmp_path / "nope"), "--out", str(tmp_path / "p"), tmp=tmp_path)
    assert r.returncode == 2 and f"--charts {tmp_path / 'nope'}: not a directory" in r.stderr
