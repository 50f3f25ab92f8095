"""The gateway image installs privllm without extras: its requirements, followed transitively
through the installed distributions, hold none of the kit's planning, review or deployment
tools, and the CLI still starts (and says how to get the kit) when they are absent."""

from __future__ import annotations

import importlib.metadata as metadata
import re
import subprocess
import sys
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from privllm.cli import KIT_MODULES
from privllm.paths import ROOT

FORBIDDEN = re.compile(r"^(pulumi.*|helm-python-sdk|gordon-to-regorus|kubernetes-validate)$")


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def closure(requirements: list[str]) -> dict[str, str]:
    """Every distribution the requirements pull in, transitively, with the one that asked for it."""
    seen: dict[str, str] = {}
    todo = [(Requirement(r), "privllm") for r in requirements]
    while todo:
        req, parent = todo.pop()
        name = canonicalize_name(req.name)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        extras = set(req.extras)
        known = name in seen
        seen.setdefault(name, parent)
        try:
            requires = metadata.requires(req.name) or []
        except metadata.PackageNotFoundError:
            continue  # not installed here (another platform's marker); the name is still checked above
        for spec in requires:
            sub = Requirement(spec)
            marker_ok = sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in (extras or {""}))
            if marker_ok and (not known or extras):
                todo.append((Requirement(f"{sub.name}{'[' + ','.join(sub.extras) + ']' if sub.extras else ''}"), name))
    return seen


def test_the_gateway_requirements_hold_no_kit_tool():
    installed = closure(project()["dependencies"])
    assert len(installed) > 20  # the walk really follows the tree (starlette, uvicorn, opentelemetry, ...)
    assert {n: via for n, via in installed.items() if FORBIDDEN.match(n)} == {}


def test_the_kit_extra_holds_the_tools():
    kit = {canonicalize_name(Requirement(r).name) for r in project()["optional-dependencies"]["kit"]}
    assert {"pulumi", "pulumi-aws", "pulumi-kubernetes", "helm-python-sdk", "gordon-to-regorus", "kubernetes-validate"} <= kit


def test_the_image_and_bootstrap_install_what_they_should():
    dockerfile = (ROOT / "images" / "llm-gateway" / "Dockerfile").read_text()
    installs = re.findall(r"pip install[^\n&]*", dockerfile)
    assert installs and all("[" not in line for line in installs), installs
    assert '[kit,test]' in (ROOT / "scripts" / "bootstrap").read_text()


# Runs the CLI in a fresh interpreter in which the kit's modules cannot be imported, as in the image.
WITHOUT_KIT = """
import sys
from importlib.abc import MetaPathFinder

class NoKit(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, NoKit())
sys.argv = ["privllm", *{args!r}]
from privllm.cli import main
main()
"""


def run_without_kit(*args: str) -> subprocess.CompletedProcess:
    code = WITHOUT_KIT.format(blocked=sorted(KIT_MODULES), args=list(args))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_the_gateway_command_starts_without_the_kit():
    r = run_without_kit("gateway", "--help")
    assert r.returncode == 0, r.stderr
    assert "--config" in r.stdout
    r = run_without_kit("config", "validate", "--stack", "reference")
    assert r.returncode == 0, r.stderr


def test_a_kit_command_without_the_kit_says_how_to_install_it():
    r = run_without_kit("plan", "--out", "/nonexistent-privllm-plan")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "pip install 'privllm[kit]'" in r.stderr and "Traceback" not in r.stderr
