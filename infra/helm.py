"""Our charts, rendered and linted by Helm v4 in-process (helm-python-sdk).

What this returns is exactly what ``helm install`` would send to a cluster:
the chart's own templates, schema and ``fail`` checks all run inside Helm.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import helm_python as helm
import yaml

from privllm.paths import CHARTS


class _Loader(yaml.SafeLoader):
    """PyYAML resolves a bare ``=`` to its "value" tag, which it cannot construct; YAML 1.2 (and
    Kubernetes) read a string there, and CRD enums use it (Prometheus Operator's, for one)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:value"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_all(text: str) -> list[dict]:
    """The objects of a rendered manifest; a ``kind: List`` is its items, as the API client applies them."""
    out: list[dict] = []
    for doc in yaml.load_all(text, Loader=_Loader):
        if not doc:
            continue
        if doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            out += [_without_nulls(item) for item in doc["items"] if item]
        else:
            out.append(_without_nulls(doc))
    return out


def _without_nulls(value):
    """A field set to null is a field not set, to the API server; charts render ``volumes: null``."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


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


def _render(chart: helm.Chart, values: dict, options: dict) -> dict[str, str]:
    # helm-python-sdk 0.2.2's Chart.render does not pass kube_version/api_versions on, though its
    # native library reads them; charts branch on .Capabilities, so the cluster's version matters.
    from helm_python import _native

    return json.loads(_native.call_string("helm_render", chart._raw(), json.dumps(values), json.dumps(options)))


def render_path(
    path: Path,
    values: dict | None,
    *,
    release: str,
    namespace: str,
    label: str | None = None,
    kube_version: str | None = None,
    api_versions: list[str] | None = None,
) -> Rendered:
    """Any chart directory or archive, as ``helm install`` into a cluster of ``kube_version``
    (e.g. "1.33") would create it: CRDs, hooks and templates."""
    label = label or Path(path).name
    options: dict = {"name": release, "namespace": namespace, "is_install": True}
    if kube_version:
        options["kube_version"] = f"v{kube_version}.0"
    if api_versions:
        options["api_versions"] = sorted(api_versions)
    try:
        with helm.Chart.load(str(path)) as chart:
            files = _render(chart, normalise(values or {}), options)
            crds = [doc for item in chart.crds for doc in load_all(item["data"])]
            docs = {template: load_all(text) for template, text in sorted(files.items()) if not template.endswith("NOTES.txt")}
    except yaml.YAMLError as exc:
        raise ChartValuesError(f"chart {label}: rendered YAML does not parse: {exc}") from None
    except (helm.HelmValuesError, helm.HelmRenderError) as exc:
        raise ChartValuesError(f"chart {label}: {_clean(str(exc))}") from None
    except helm.HelmChartLoadError as exc:
        raise ChartValuesError(f"chart {label}: {path} is not a readable chart ({_clean(str(exc))})") from None
    objects, tests = list(crds), []  # type: list[dict], list[dict]
    notes = next((text for template, text in files.items() if template.endswith("NOTES.txt")), "")
    for template in docs:
        for doc in docs[template]:
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
