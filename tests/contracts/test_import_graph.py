"""The package graph: the stack model and the shared facts at the bottom; infra, serving and
policies above them; the command line on top. No module imports a higher layer, no modules
import each other in a cycle (imports inside functions count too), and the packages themselves
form no cycle either (infra may use policies, never the reverse).

The layer of a module is the entry of LAYERS with the longest matching prefix. Module names are
the installed ones (privllm.infra.plan for infra/plan.py), from privllm.paths.PACKAGE_DIRS.
"""

from __future__ import annotations

import ast
from pathlib import Path

from privllm.paths import PACKAGE_DIRS, ROOT

BOTTOM, MIDDLE, TOP = 0, 1, 2
LAYERS = {
    "privllm.facts": BOTTOM,
    "privllm.paths": BOTTOM,
    "privllm.stack": BOTTOM,
    "privllm.infra": MIDDLE,
    "privllm.serving": MIDDLE,
    "privllm.policies": MIDDLE,
    # The command line and what only it uses (cli, up, vault, runbooks, redteam, preflight).
    "privllm": TOP,
}
# The units whose graph must have no cycle: each package of the middle layer on its own.
PACKAGE_UNITS = ("privllm.facts", "privllm.paths", "privllm.stack", "privllm.infra", "privllm.serving", "privllm.policies")


def layer(module: str) -> int | None:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len, default=None)
    return LAYERS[best] if best else None


def unit(module: str) -> str:
    return next((u for u in PACKAGE_UNITS if module == u or module.startswith(u + ".")), "privllm")


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT)
    package = next(p for p, folder in PACKAGE_DIRS.items() if relative.parts[0] == folder)
    parts = [package, *relative.with_suffix("").parts[1:]]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for folder in PACKAGE_DIRS.values() for p in sorted((ROOT / folder).rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of ours that ``name`` imports anywhere in its file (top level or inside functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # "from pkg import mod" imports the module pkg.mod when it exists.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_module_has_a_layer():
    assert [m for m in modules() if layer(m) is None] == []


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{src} (layer {layer(src)}) imports {dst} (layer {layer(dst)})"
        for src, targets in graph().items()
        for dst in sorted(targets)
        if (layer(dst) or 0) > (layer(src) or 0)
    ]
    assert upward == []


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_the_checker_sees_cycles_and_function_level_imports(tmp_path):
    """The graph builder itself: a cycle through an import inside a function is found."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    source = tmp_path / "m.py"
    source.write_text("import os\n\ndef f():\n    from privllm.serving.vllm import standin\n    return standin\n")
    known = {"privllm.serving", "privllm.serving.vllm", "privllm.serving.vllm.standin"}
    assert imports_of("privllm.infra.m", source, known) == {"privllm.serving.vllm.standin"}
    assert unit("privllm.infra.plan") == "privllm.infra" and unit("privllm.cli") == "privllm"
    assert layer("privllm.stack.model") == BOTTOM and layer("privllm.cli") == TOP and layer("privllm.serving.gateway.app") == MIDDLE


def test_no_cycle_between_packages():
    edges: dict[str, set[str]] = {}
    for src, targets in graph().items():
        edges.setdefault(unit(src), set()).update(unit(t) for t in targets if unit(t) != unit(src))
    assert cycles(edges) == []


def test_one_top_level_package_is_installed():
    import importlib.metadata

    top = importlib.metadata.distribution("privllm").read_text("top_level.txt")
    assert top is None or top.split() == ["privllm"]
    assert set(PACKAGE_DIRS) == {"privllm", *(f"privllm.{f}" for f in ("infra", "policies", "serving"))}
