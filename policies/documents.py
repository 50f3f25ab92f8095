"""Reading what a review looks at: YAML manifests, the plan's cloud inventory, the stack."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

# libyaml's loader when the wheel has it (several times faster); same safe semantics.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ReviewInputError(ValueError):
    """A file the user pointed at cannot be reviewed; the message names file and line."""


def read_yaml_documents(path: Path) -> list[dict]:
    try:
        docs = list(yaml.load_all(path.read_text(), Loader=_Loader))  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark else "unknown line"
        raise ReviewInputError(f"{path}:{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewInputError(f"{path}: cannot read ({exc})") from None
    out = []
    for i, doc in enumerate(docs):
        if doc is None:
            continue
        if not isinstance(doc, dict) or not doc.get("kind") or not doc.get("apiVersion"):
            raise ReviewInputError(f"{path}: document {i + 1} is not a Kubernetes object (needs apiVersion and kind)")
        out.append(doc)
    return out


def cloud_documents(cloud: dict) -> list[dict]:
    """The plan's cloud.json as reviewable documents."""
    docs = [
        {
            "apiVersion": "privllm.io/v1",
            "kind": "CloudResource",
            "metadata": {"name": r["name"]},
            "type": r["type"],
            "component": r.get("component"),
            "inputs": r.get("inputs") or {},
        }
        for r in cloud.get("resources", [])
    ]
    docs += [
        {
            "apiVersion": "privllm.io/v1",
            "kind": "HelmRelease",
            "metadata": {"name": h["name"], "namespace": h.get("namespace") or ""},
            "spec": {k: h.get(k) for k in ("chart", "version", "repository", "values")},
        }
        for h in cloud.get("helm_releases", [])
    ]
    return docs


def read_directory(path: Path) -> list[dict]:
    """Every YAML document under ``path`` (recursively), plus cloud.json when present."""
    if not path.exists():
        raise ReviewInputError(f"{path}: no such directory")
    files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    docs = [d for f in files for d in read_yaml_documents(f)]
    cloud = path / "cloud.json"
    if cloud.exists():
        try:
            docs += cloud_documents(json.loads(cloud.read_text()))
        except json.JSONDecodeError as exc:
            raise ReviewInputError(f"{cloud}:line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not docs:
        raise ReviewInputError(f"{path}: no YAML manifests or cloud.json to review")
    return docs


def stack_document(cfg, name: str) -> dict:
    return {"apiVersion": "privllm.io/v1", "kind": "StackConfig", "metadata": {"name": name}, "spec": cfg.model_dump(mode="json")}
