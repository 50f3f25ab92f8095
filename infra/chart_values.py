"""Ignored values: a key the kit sets on a third-party chart that the chart never reads.

A security setting the chart ignores does nothing, silently, so it is an error. A key is read
when a template names it, or names one of its parents as a whole (``toYaml .Values.config``
hands the whole subtree to the object), or when it belongs to a subchart (whose own templates
read it), or when it is ``global``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from privllm.infra.helm import ChartSources

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = re.compile(r"\$?\.Values((?:\." + _IDENT + r")*)")
_INDEX = re.compile(r"(?:index|hasKey|get)\s+\$?\.Values((?:\s+\"[^\"]+\")+)")
_VAR = re.compile(r"(\$" + _IDENT + r")\s*:?=\s*\$?\.Values((?:\." + _IDENT + r")*)\s*\}\}")
_VAR_USE = r"{var}((?:\.{ident})+)"


def read_paths(sources: ChartSources) -> set[str]:
    """Every values path the chart's templates name."""
    found: set[str] = set()
    for text in sources.templates.values():
        # `{{ $x := .Values.a }}` ... `$x.b` reads a.b; only a bare `$x` reads all of a.
        assignments = {(m.group(1), m.group(2).lstrip(".")) for m in _VAR.finditer(text)}
        for var, base in assignments:
            pattern = re.compile(_VAR_USE.format(var=re.escape(var), ident=_IDENT))
            found |= {f"{base}.{m.group(1).lstrip('.')}".strip(".") for m in pattern.finditer(text)}
            if re.search(re.escape(var) + r"(?![.\w])(?!\s*:?=)", text):
                found.add(base)
        text = _VAR.sub("}}", text)
        found |= {m.group(1).lstrip(".") for m in _DOTTED.finditer(text)}
        found |= {".".join(re.findall(r"\"([^\"]+)\"", m.group(1))) for m in _INDEX.finditer(text)}
    return found


def leaf_paths(values: dict, prefix: str = "") -> Iterator[str]:
    """Dotted paths of what the kit sets: dict keys recursed, lists and scalars are leaves."""
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            yield from leaf_paths(value, path)
        else:
            yield path


def ignored_keys(values: dict, sources: ChartSources) -> list[str]:
    """Value paths in ``values`` that no template of the chart reads."""
    # A bare `.Values` (copied into a dict for a helper) names nothing by itself; the helpers'
    # own `.Values.x` references do.
    read = read_paths(sources) - {""}
    delegated = set(sources.subcharts) | {"global"}
    out = []
    for path in leaf_paths(values):
        parts = path.split(".")
        if parts[0] in delegated:
            continue
        prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        if prefixes & read:
            continue
        # A dict the kit sets whose children are read (the kit set {} on a read map) is fine too.
        if any(r.startswith(path + ".") for r in read):
            continue
        out.append(path)
    return out
