"""Read a Pulumi stack file into a StackConfig, or explain precisely what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from privllm.paths import DEFAULT_STACK, INFRA
from privllm.stack.model import RuleViolation, StackConfig

NAMESPACE = "privllm"


SHOWN_CHARS = 80  # a user's value is echoed at most this long, then "..."
MAX_DEPTH = 64  # deeper YAML is refused before it is built (a stack file nests a handful of levels)
MAX_FILE_BYTES = 1024 * 1024  # a stack file is a few kilobytes; /dev/zero is not one
MAX_INT_DIGITS = 30  # no stack setting needs a longer number; Python refuses > 4300 digits with a traceback


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    value: object = None

    def __str__(self) -> str:
        shown = "" if self.value is None else f" (got {shorten(_safe_repr(self.value))})"
        return f"{self.path}: {shorten(self.message, 4 * SHOWN_CHARS)}{shown}"


def _safe_repr(value: object) -> str:
    """repr that never raises, however large or odd the value."""
    try:
        return repr(value)
    except ValueError:  # e.g. an int beyond Python's digit limit
        return f"<{type(value).__name__}>"


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
    out = f"{NAMESPACE}:{shorten(str(loc[0]))}" if loc else NAMESPACE
    for part in loc[1:]:
        out += f"[{part}]" if isinstance(part, int) else f".{shorten(str(part))}"
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


class _StackLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, deep nesting and absurdly long numbers, with positions."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _LoadProblem("yaml", f"nested deeper than {MAX_DEPTH} levels at line {mark.line + 1}; a stack file nests a handful")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key (a list or mapping as key); the constructor names it below
                continue
            if first is not None:
                raise _LoadProblem(
                    shorten(str(key)),
                    f"duplicate key at line {key_node.start_mark.line + 1}; first defined at line {first}; a later one would silently win",
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(c.isdigit() for c in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise _LoadProblem("yaml", f"a number with {digits} digits at line {node.start_mark.line + 1}; no setting needs more than {MAX_INT_DIGITS}")
        return super().construct_yaml_int(node)


_StackLoader.add_constructor("tag:yaml.org,2002:int", _StackLoader.construct_yaml_int)


class _LoadProblem(Exception):
    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.problem = Problem(path, message)


def _read_text(path: Path) -> str:
    if not path.exists():
        raise StackError(path, [Problem("file", "no such stack file; shipped stacks are reference, local, onprem")])
    if path.is_dir():
        raise StackError(path, [Problem("file", "is a directory; give a stack file (infra/Pulumi.<stack>.yaml) or a stack name")])
    if not path.is_file():
        raise StackError(path, [Problem("file", "is not a regular file (a device, socket or pipe); give a stack file")])
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise StackError(path, [Problem("file", f"cannot be read ({exc.strerror or exc})")]) from None
    if len(data) > MAX_FILE_BYTES:
        raise StackError(path, [Problem("file", f"is larger than {MAX_FILE_BYTES // 1024} KiB; a stack file is a few kilobytes")])
    if b"\x00" in data:
        raise StackError(path, [Problem("file", "is a binary file, not YAML text")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StackError(path, [Problem("file", f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8")]) from None


def read_stack_values(path: Path) -> dict:
    """The ``privllm:*`` values of a stack file, keyed without the namespace."""
    text = _read_text(path)
    try:
        doc = yaml.load(text, Loader=_StackLoader)  # noqa: S506 - a SafeLoader subclass
    except _LoadProblem as exc:
        raise StackError(path, [exc.problem]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise StackError(path, [Problem("yaml", f"not valid YAML at {where}: {getattr(exc, 'problem', None) or shorten(str(exc))}")]) from None
    except RecursionError:
        raise StackError(path, [Problem("yaml", f"nested too deeply to read; a stack file nests a handful of levels (at most {MAX_DEPTH})")]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("config"), dict):
        raise StackError(path, [Problem("config", "a Pulumi stack file needs a top-level 'config:' mapping")])
    values = {}
    for key, value in doc["config"].items():
        namespace, _, field = str(key).partition(":")
        if namespace != NAMESPACE:
            continue  # other namespaces (aws:, kubernetes:) belong to their providers
        if isinstance(value, dict) and "secure" in value:
            raise StackError(path, [Problem(shorten(str(key)), "secrets do not belong in the stack file; keep them in Vault")])
        values[field] = value
    return values


def load_stack(stack: str | Path | None = None) -> StackConfig:
    path = resolve_stack_path(stack)
    values = read_stack_values(path)
    try:
        return StackConfig.model_validate(values)
    except ValidationError as exc:
        raise StackError(path, problems_from(exc)) from None
    except RecursionError:
        raise StackError(path, [Problem(NAMESPACE, "a value nests too deeply to validate")]) from None
