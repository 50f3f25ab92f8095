"""Helpers for the plan tests: the project's own tiny test charts, a plan to put objects into."""

from __future__ import annotations

import shutil
from pathlib import Path

from privllm.infra.plan import Plan, Recorded
from privllm.paths import ROOT
from privllm.stack import load_stack

WIDGET = ROOT / "tests" / "fixtures" / "charts" / "widget"  # written for these tests; version 1.2.3


def chart_cache(tmp_path: Path, *, archive: bool = False) -> Path:
    """A chart cache holding the widget chart as <name>-<version>/ (or as a packaged .tgz)."""
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    if archive:
        import helm_python

        helm_python.package(WIDGET, destination=cache)
    else:
        shutil.copytree(WIDGET, cache / "widget-1.2.3")
    return cache


def release(values: dict | None = None, *, namespace: str = "privllm-gateway", version: str = "1.2.3") -> Recorded:
    inputs = {"chart": "oci://registry.example/charts/widget", "version": version, "namespace": namespace, "values": values or {}}
    return Recorded("kubernetes:helm.sh/v4:Chart", "test-widget", "Gateway", inputs)


def empty_plan(stack: str = "local") -> Plan:
    return Plan(stack, load_stack(stack))
