"""Our charts, rendered and linted by Helm v4 in-process (helm-python-sdk).

What this returns is exactly what ``helm install`` would send to a cluster:
the chart's own templates, schema and ``fail`` checks all run inside Helm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import helm_python as helm
import yaml

from privllm.paths import CHARTS


class ChartValuesError(ValueError):
    """Helm refused the values (schema or a chart ``fail``); the message names the value."""


@dataclass(frozen=True)
class Rendered:
    objects: list[dict]  # what an install creates
    tests: list[dict]  # helm test hooks
    notes: str


def normalise(value):
    """Pulumi's mock engine hands numbers back as floats (2 -> 2.0); charts expect integers."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def chart_dir(name: str) -> Path:
    path = CHARTS / name
    if not (path / "Chart.yaml").exists():
        raise ChartValuesError(f"no chart named {name!r} under {CHARTS}")
    return path


def _build_dependencies(path: Path) -> None:
    # Always rebuild: the library chart is packaged from the working tree, never a stale copy.
    for stale in (path / "charts").glob("*.tgz"):
        stale.unlink()
    if "dependencies" in yaml.safe_load((path / "Chart.yaml").read_text()):
        helm.dependency_build(str(path))


def _clean(message: str) -> str:
    # Helm prefixes template failures with the template stack; keep the human part.
    text = str(message).strip()
    if text.startswith("execution error at (") and "): " in text:
        return text.split("): ", 1)[1].strip()
    return text


def render(name: str, values: dict | None, *, release: str, namespace: str) -> Rendered:
    """One of our charts (charts/NAME), its library dependency rebuilt first."""
    path = chart_dir(name)
    _build_dependencies(path)
    return render_path(path, values, release=release, namespace=namespace, label=name)


def render_path(path: Path, values: dict | None, *, release: str, namespace: str, label: str | None = None) -> Rendered:
    """Any chart directory or archive, as ``helm install`` would create it: CRDs, hooks, templates."""
    label = label or Path(path).name
    try:
        with helm.Chart.load(str(path)) as chart:
            files = chart.render(values=normalise(values or {}), name=release, namespace=namespace, is_install=True)
            crds = [doc for item in chart.crds for doc in yaml.safe_load_all(item["data"]) if doc]
    except (helm.HelmValuesError, helm.HelmRenderError) as exc:
        raise ChartValuesError(f"chart {label}: {_clean(exc)}") from None
    except helm.HelmChartLoadError as exc:
        raise ChartValuesError(f"chart {label}: {path} is not a readable chart ({_clean(exc)})") from None
    objects, tests, notes = list(crds), [], ""
    for template, text in sorted(files.items()):
        if template.endswith("NOTES.txt"):
            notes = text
            continue
        for doc in yaml.safe_load_all(text):
            if not doc:
                continue
            hook = (doc.get("metadata", {}).get("annotations") or {}).get("helm.sh/hook", "")
            (tests if "test" in hook.split(",") else objects).append(doc)
    return Rendered(objects, tests, notes)


@dataclass(frozen=True)
class ChartSources:
    """What a chart reads: its default values, its values schema, and its template text (subcharts included)."""

    defaults: dict
    schema: dict | None
    templates: dict[str, str]  # "subchart-prefix/templates/x.yaml" -> text; "" prefix for the chart itself
    subcharts: tuple[str, ...]  # value keys handed to subcharts (name or alias)


def chart_sources(path: Path) -> ChartSources:
    with helm.Chart.load(str(path)) as chart:
        templates = {t["name"]: _text(t["data"]) for t in chart.templates}
        subcharts = tuple(d.get("alias") or d["name"] for d in (chart.metadata.get("dependencies") or []))
        return ChartSources(chart.values, chart.schema, templates, subcharts)


def _text(data) -> str:
    if isinstance(data, str):
        try:
            import base64

            return base64.b64decode(data, validate=True).decode()
        except ValueError:
            return data
    return bytes(data).decode()


def lint(name: str, values: dict | None = None, *, kube_version: str | None = None) -> list[str]:
    """Lint findings at warning level or above, strict (warnings count)."""
    path = chart_dir(name)
    _build_dependencies(path)
    report = helm.lint(
        str(path),
        normalise(values or {}),
        strict=True,
        kube_version=f"v{kube_version}.0" if kube_version else None,
    )
    found = [f"{m.get('path')}: {m.get('error')}" for m in report.get("messages", []) if m.get("severity", 0) >= 2]
    return found + [str(e) for e in report.get("errors", [])]
