"""The pinned vLLM release's command-line flags, environment variables and quantization names.

The table (``cli_table.json`` beside this module) is a recorded fact about one vLLM release,
read from that release's own source: ``vllm serve``'s argument parser (``EngineArgs`` and
``FrontendArgs``), the ``environment_variables`` dict of ``vllm/envs.py`` and the
``QuantizationMethods`` literal. Charts are checked against it, so a flag the pinned release
does not know fails a test instead of a pod.

Regenerate it after changing the pin (the version comes from the wheel's metadata)::

    pip download --no-deps --only-binary :all: vllm==X.Y.Z -d /tmp/vllm-wheel
    python -m privllm.serving.vllm.cli_table --wheel /tmp/vllm-wheel/vllm-X.Y.Z-*.whl

or from a source checkout at the release tag: ``python -m privllm.serving.vllm.cli_table --source DIR --version X.Y.Z``.

Only names are read; nothing of vLLM is imported (it needs a GPU stack) or copied.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("cli_table.json")
# Files of a release that define `vllm serve`'s parser, its environment variables and quantization names.
ARG_UTILS = "vllm/engine/arg_utils.py"
FRONTEND_CANDIDATES = ("vllm/entrypoints/common/cli_args.py", "vllm/entrypoints/openai/cli_args.py")
ENVS = "vllm/envs.py"
QUANTIZATION = "vllm/model_executor/layers/quantization/__init__.py"
CONFIG_DIR = "vllm/config/"
FRONTEND_CLASSES = ("BaseFrontendArgs", "FrontendArgs")


class CliTableError(ValueError):
    pass


@dataclass(frozen=True)
class CliTable:
    version: str
    flags: frozenset[str]
    env_vars: frozenset[str]
    quantization_methods: frozenset[str]

    @property
    def image_tag(self) -> str:
        return f"v{self.version}"

    def unknown_flags(self, args: list[str]) -> list[str]:
        """Flags in a command line that this release's parser would refuse (``--a_b`` and ``--a=b`` as vLLM reads them)."""
        unknown = []
        for arg in args:
            if not arg.startswith("--"):
                continue
            flag = arg.split("=", 1)[0].replace("_", "-")
            if flag not in self.flags:
                unknown.append(arg)
        return unknown


@cache
def load(path: Path = TABLE) -> CliTable:
    data = json.loads(path.read_text())
    return CliTable(data["version"], frozenset(data["flags"]), frozenset(data["env_vars"]), frozenset(data["quantization_methods"]))


# ------------------------------------------------------------------ reading a release's source
def _annotations(tree: ast.Module, classes: tuple[str, ...] | None = None) -> dict[str, dict[str, str]]:
    """class name -> {field: annotation source} for every class (or the named ones) in a module."""
    found: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and (classes is None or node.name in classes):
            found[node.name] = {
                stmt.target.id: ast.unparse(stmt.annotation)
                for stmt in node.body
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and not stmt.target.id.startswith("_")
            }
    return found


def _is_boolean_option(annotation: str) -> bool:
    """vLLM's get_kwargs gives a bool field --x and --no-x, except the optional-valued bool | str | None."""
    parts = {p.strip() for p in annotation.replace("Optional[", "").replace("]", "").split("|")}
    return "bool" in parts and "str" not in parts


def _engine_flags(source: str, config_fields: dict[str, dict[str, str]]) -> set[str]:
    tree = ast.parse(source)
    kwargs_of: dict[str, str] = {}  # variable -> config class, from `x = get_kwargs(Cls)`
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "get_kwargs"
            and node.value.args and isinstance(node.value.args[0], ast.Name)
        ):
            kwargs_of[node.targets[0].id] = node.value.args[0].id
    flags: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "add_argument"):
            continue
        names = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value.startswith("--")]
        boolean = False
        for kw in node.keywords:
            if kw.arg == "action" and "BooleanOptionalAction" in ast.unparse(kw.value):
                boolean = True
            if kw.arg is None:  # **cache_kwargs["field"], also inside a {**..., "default": None} literal
                for sub in ast.walk(kw.value):
                    if (
                        isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name)
                        and isinstance(sub.slice, ast.Constant) and isinstance(sub.slice.value, str)
                    ):
                        annotation = config_fields.get(kwargs_of.get(sub.value.id, ""), {}).get(sub.slice.value)
                        if annotation and _is_boolean_option(annotation):
                            boolean = True
        for name in names:
            flags.add(name)
            if boolean:
                flags.add("--no-" + name[2:])
    return flags


def _frontend_flags(source: str) -> set[str]:
    tree = ast.parse(source)
    flags: set[str] = set()
    for fields in _annotations(tree, FRONTEND_CLASSES).values():
        for name, annotation in fields.items():
            flag = "--" + name.replace("_", "-")
            flags.add(flag)
            if _is_boolean_option(annotation):
                flags.add("--no-" + flag[2:])
    # make_arg_parser's own arguments (--headless, --config, ...)
    flags |= _engine_flags(source, {})
    return flags


def _env_vars(source: str) -> set[str]:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        target: ast.expr
        if isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign):
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == "environment_variables" and isinstance(value, ast.Dict):
            return {k.value for k in value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    raise CliTableError("vllm/envs.py: no environment_variables dict")


def _quantization_methods(source: str) -> set[str]:
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "QuantizationMethods" for t in node.targets):
            return {c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    raise CliTableError(f"{QUANTIZATION}: no QuantizationMethods literal")


def extract(files: dict[str, str], version: str) -> dict:
    """The table from a release's source files (path inside the release -> text)."""
    missing = [p for p in (ARG_UTILS, ENVS, QUANTIZATION) if p not in files]
    frontend = next((p for p in FRONTEND_CANDIDATES if p in files), None)
    if missing or frontend is None:
        raise CliTableError(f"release source lacks {missing or list(FRONTEND_CANDIDATES)}; is it vLLM?")
    config_fields: dict[str, dict[str, str]] = {}
    for path, text in files.items():
        if path.startswith(CONFIG_DIR) and path.endswith(".py"):
            config_fields.update(_annotations(ast.parse(text)))
    flags = _engine_flags(files[ARG_UTILS], config_fields) | _frontend_flags(files[frontend])
    return {
        "version": version,
        "source": f"vllm {version}: {ARG_UTILS}, {frontend}, {ENVS}, {QUANTIZATION} (regenerate: python -m privllm.serving.vllm.cli_table)",
        "flags": sorted(flags),
        "env_vars": sorted(_env_vars(files[ENVS])),
        "quantization_methods": sorted(_quantization_methods(files[QUANTIZATION])),
    }


def _wanted(path: str) -> bool:
    return path in (ARG_UTILS, ENVS, QUANTIZATION, *FRONTEND_CANDIDATES) or (path.startswith(CONFIG_DIR) and path.endswith(".py"))


def from_wheel(wheel: Path) -> dict:
    with zipfile.ZipFile(wheel) as zf:
        files = {n: zf.read(n).decode() for n in zf.namelist() if _wanted(n)}
        meta = next((n for n in zf.namelist() if n.endswith(".dist-info/METADATA")), None)
        found = re.search(r"^Version: (\S+)$", zf.read(meta).decode(), re.MULTILINE) if meta else None
    version = found.group(1) if found else ""
    if not version:
        raise CliTableError(f"{wheel}: no Version in the wheel's METADATA")
    return extract(files, version)


def from_source(root: Path, version: str) -> dict:
    files = {str(p.relative_to(root)): p.read_text() for p in root.glob("vllm/**/*.py") if _wanted(str(p.relative_to(root)))}
    return extract(files, version)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m privllm.serving.vllm.cli_table", description=__doc__.split("\n\n")[0])
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--wheel", type=Path, help="a downloaded vllm-X.Y.Z-*.whl")
    src.add_argument("--source", type=Path, help="a vLLM source checkout at a release tag (needs --version)")
    parser.add_argument("--version", help="release version of --source, e.g. 0.33.0")
    parser.add_argument("--out", type=Path, default=TABLE)
    args = parser.parse_args(argv)
    try:
        if args.wheel:
            table = from_wheel(args.wheel)
        else:
            if not args.version:
                parser.error("--source needs --version")
            table = from_source(args.source, args.version)
    except (OSError, zipfile.BadZipFile, CliTableError, SyntaxError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.write_text(json.dumps(table, indent=1) + "\n")
    print(f"{args.out}: vllm {table['version']}, {len(table['flags'])} flags, {len(table['env_vars'])} environment variables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
