"""Reading what a review looks at: manifests (YAML, JSON, multi-document, Lists), the plan's
cloud inventory and the stack.

Hostile input is bounded before anything else sees it: a file's size, its number of documents,
a document's size with YAML aliases expanded and its nesting depth. Duplicate mapping keys are
refused (a later key must not silently hide an earlier ``privileged: true``). A document that
cannot be an object is skipped with its reason, never dropped silently.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policies.workloads import KIT_API_GROUP, Reviewable, Skipped, expand

# libyaml's parser when the wheel has it (several times faster); the constructor stays Python.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DOCUMENTS_PER_FILE = 100_000
# Nodes of one document with every alias expanded: a big CRD has tens of thousands.
MAX_DOCUMENT_NODES = 1_000_000
MAX_DEPTH = 100
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
CLOUD_INVENTORY = "cloud.json"


class ReviewInputError(ValueError):
    """A file the user pointed at cannot be reviewed; the message names file and line."""


class _DocumentTooLarge(ValueError):
    pass


class _DuplicateKeyLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key_node.value!r} (a later key would hide the earlier value)", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


@dataclass
class Intake:
    """What was read: objects to review, and every document that was not reviewed, with why."""

    items: list[Reviewable] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _jsonable(node, depth: int, memo: dict[int, int], active: set[int]) -> int:
    """Size of ``node`` with aliases expanded; converts YAML timestamps and refuses odd keys."""
    if isinstance(node, (dict, list)):
        key = id(node)
        if key in memo:
            return memo[key]
        if key in active:
            raise _DocumentTooLarge("it refers to itself through a YAML alias")
        if depth > MAX_DEPTH:
            raise _DocumentTooLarge(f"it nests deeper than {MAX_DEPTH} levels")
        active.add(key)
        total = 1
        if isinstance(node, dict):
            for k, v in node.items():
                if not (k is None or isinstance(k, (str, int, float, bool))):
                    raise _DocumentTooLarge(f"a mapping key is not a scalar ({type(k).__name__})")
                if isinstance(v, (datetime.date, bytes, set)):
                    node[k] = v = _scalar(v)
                total += _jsonable(v, depth + 1, memo, active)
                if total > MAX_DOCUMENT_NODES:
                    break
        else:
            for i, v in enumerate(node):
                if isinstance(v, (datetime.date, bytes, set)):
                    node[i] = v = _scalar(v)
                total += _jsonable(v, depth + 1, memo, active)
                if total > MAX_DOCUMENT_NODES:
                    break
        active.discard(key)
        if total > MAX_DOCUMENT_NODES:
            raise _DocumentTooLarge(f"it expands to more than {MAX_DOCUMENT_NODES} nodes (YAML aliases included)")
        memo[key] = total
        return total
    return 1


def _scalar(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return sorted(map(str, value))


def _problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    line = f"line {mark.line + 1}" if mark else "unknown line"
    return f"{line}: not valid YAML ({getattr(exc, 'problem', None) or exc})"


def _raw_documents(path: Path) -> Iterator[object]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ReviewInputError(f"{path}: {size} bytes is more than the {MAX_FILE_BYTES}-byte limit for one file")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewInputError(f"{path}: cannot read ({exc})") from None
    if path.suffix == ".json":
        yield _json_document(path, text)
        return
    try:
        for count, doc in enumerate(yaml.load_all(text, Loader=_DuplicateKeyLoader), start=1):  # noqa: S506 - a safe loader
            if count > MAX_DOCUMENTS_PER_FILE:
                raise ReviewInputError(f"{path}: more than {MAX_DOCUMENTS_PER_FILE} documents in one file")
            yield doc
    except yaml.YAMLError as exc:
        raise ReviewInputError(f"{path}:{_problem(exc)}") from None
    except RecursionError:
        raise ReviewInputError(f"{path}: nested too deeply to read") from None


def _json_document(path: Path, text: str) -> object:
    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ReviewInputError(f"{path}: duplicate key {dupes[0]!r} (a later key would hide the earlier value)")
        return dict(pairs)

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise ReviewInputError(f"{path}:line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise ReviewInputError(f"{path}: nested too deeply to read") from None


def read_manifest(path: Path, intake: Intake, label: str | None = None) -> None:
    """Every object in one file, Lists unpacked, into ``intake``."""
    label = label or str(path)
    for index, doc in enumerate(_raw_documents(path), start=1):
        if doc is None:
            continue
        source = f"{label}#{index}"
        try:
            _jsonable(doc, 0, {}, set())
        except _DocumentTooLarge as exc:
            raise ReviewInputError(f"{path}: document {index} cannot be reviewed: {exc}") from None
        expand(doc, source, intake.items, intake.skipped.append)


def read_yaml_documents(path: Path) -> list[dict]:
    """The objects of one manifest file (Lists unpacked), for policy samples."""
    intake = Intake()
    read_manifest(path, intake)
    if intake.skipped:
        raise ReviewInputError(f"{intake.skipped[0].source}: {intake.skipped[0].reason}")
    return [item.doc for item in intake.items]


def cloud_documents(cloud: dict) -> list[dict]:
    """The plan's cloud.json as reviewable documents."""
    docs = [
        {
            "apiVersion": f"{KIT_API_GROUP}/v1",
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
            "apiVersion": f"{KIT_API_GROUP}/v1",
            "kind": "HelmRelease",
            "metadata": {"name": h["name"], "namespace": h.get("namespace") or ""},
            "spec": {k: h.get(k) for k in ("chart", "version", "repository", "values")},
        }
        for h in cloud.get("helm_releases", [])
    ]
    return docs


def _cloud_inventory(path: Path, intake: Intake) -> None:
    cloud = _json_document(path, path.read_text())
    try:
        docs = cloud_documents(cloud)  # type: ignore[arg-type]
    except (AttributeError, KeyError, TypeError) as exc:
        raise ReviewInputError(f"{path}: not a privllm plan inventory (resources[].name/type, helm_releases[].name): {exc}") from None
    for i, doc in enumerate(docs, start=1):
        expand(doc, f"{path}#{i}", intake.items, intake.skipped.append)


def manifest_files(path: Path) -> list[Path]:
    if not path.exists():
        raise ReviewInputError(f"{path}: no such directory")
    return [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in MANIFEST_SUFFIXES and p.is_file())


def read_file(f: Path, root: Path) -> Intake:
    """What one file holds: a manifest, or the plan's cloud.json at the top of ``root``."""
    intake = Intake()
    if f.name == CLOUD_INVENTORY and f.parent == root:
        _cloud_inventory(f, intake)
    else:
        read_manifest(f, intake)
    return intake


def iter_directory(path: Path) -> Iterator[Intake]:
    """What each manifest under ``path`` holds (recursively), one file at a time."""
    for f in manifest_files(path):
        yield read_file(f, path)


def read_directory(path: Path, prepare=None, parts: Iterator[Intake] | None = None) -> Intake:
    """Every manifest under ``path``; ``prepare`` may check and compact each file's objects as it is read."""
    intake = Intake()
    for part in parts if parts is not None else iter_directory(path):
        if prepare:
            prepare(part)
        intake.items += part.items
        intake.skipped += part.skipped
    if not intake.items and not intake.skipped:
        raise ReviewInputError(f"{path}: no manifests ({', '.join(MANIFEST_SUFFIXES)}) or {CLOUD_INVENTORY} to review")
    if not intake.items:
        reasons = "; ".join(f"{s.source}: {s.reason}" for s in intake.skipped[:3])
        raise ReviewInputError(f"{path}: nothing to review, every document was skipped ({reasons})")
    return intake


def stack_document(cfg, name: str) -> dict:
    return {"apiVersion": f"{KIT_API_GROUP}/v1", "kind": "StackConfig", "metadata": {"name": name}, "spec": cfg.model_dump(mode="json")}
