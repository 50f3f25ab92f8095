"""Read a Pulumi stack file into a StackConfig, or explain precisely what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from privllm.paths import DEFAULT_STACK, INFRA
from privllm.stack.model import RuleViolation, StackConfig

NAMESPACE = "privllm"


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    value: object = None

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (got {self.value!r})"
        return f"{self.path}: {self.message}{shown}"


class StackError(Exception):
    """A stack file a user wrote is wrong; ``problems`` says where and how."""

    def __init__(self, file: Path | str, problems: list[Problem]):
        self.file = str(file)
        self.problems = problems
        super().__init__("\n".join(f"{self.file}: {p}" for p in problems))


def resolve_stack_path(stack: str | Path | None) -> Path:
    """A stack name (``reference``) or a path to a stack file."""
    name = str(stack or DEFAULT_STACK)
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    return INFRA / f"Pulumi.{name}.yaml"


def stack_name(stack: str | Path | None) -> str:
    """The Pulumi stack name of a stack argument: ``reference`` for ``infra/Pulumi.reference.yaml``."""
    return Path(str(stack or DEFAULT_STACK)).stem.removeprefix("Pulumi.")


def _key_path(loc: tuple) -> str:
    out = f"{NAMESPACE}:{loc[0]}" if loc else NAMESPACE
    for part in loc[1:]:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _join(base: str, rel: str) -> str:
    return f"{base}{rel}" if rel.startswith("[") else f"{base}.{rel}"


def problems_from(exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, RuleViolation):
            path = _join(_key_path(loc), cause.path) if loc else _key_path(tuple(_split(cause.path)))
            problems.append(Problem(path, cause.message))
            continue
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key; check the spelling against the documented keys"
        if err["type"] == "missing":
            problems.append(Problem(_key_path(loc), "required key is missing"))
            continue
        problems.append(Problem(_key_path(loc), message, err.get("input") if err["type"] != "extra_forbidden" else None))
    return problems


def _split(rel: str) -> list:
    """'models[0].pool' -> ['models', 0, 'pool']."""
    parts: list = []
    for chunk in rel.split("."):
        name, *indexes = chunk.split("[")
        if name:
            parts.append(name)
        parts.extend(int(i.rstrip("]")) for i in indexes)
    return parts


def read_stack_values(path: Path) -> dict:
    """The ``privllm:*`` values of a stack file, keyed without the namespace."""
    if not path.exists():
        raise StackError(path, [Problem("file", "no such stack file; shipped stacks are reference, local, onprem")])
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise StackError(path, [Problem("yaml", f"not valid YAML at {where}: {getattr(exc, 'problem', exc)}")]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("config"), dict):
        raise StackError(path, [Problem("config", "a Pulumi stack file needs a top-level 'config:' mapping")])
    values = {}
    for key, value in doc["config"].items():
        namespace, _, field = str(key).partition(":")
        if namespace != NAMESPACE:
            continue  # other namespaces (aws:, kubernetes:) belong to their providers
        if isinstance(value, dict) and "secure" in value:
            raise StackError(path, [Problem(str(key), "secrets do not belong in the stack file; keep them in Vault")])
        values[field] = value
    return values


def load_stack(stack: str | Path | None = None) -> StackConfig:
    path = resolve_stack_path(stack)
    values = read_stack_values(path)
    try:
        return StackConfig.model_validate(values)
    except ValidationError as exc:
        raise StackError(path, problems_from(exc)) from None
