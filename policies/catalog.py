"""The policy set: every folder under policies/ holding a policy.rego, with its metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policies.workloads import POD_KINDS
from privllm.paths import POLICIES

LAYERS = {
    1: "infrastructure",
    2: "data",
    3: "model",
    4: "identity",
    5: "application",
    6: "monitoring",
}
SEVERITIES = ("low", "medium", "high", "critical")
_ID = re.compile(r"^PLLM-L([1-6])-[0-9]{3}$")
# A policy's custom.kinds may say "workloads" for every pod-bearing kind the library reads.
KIND_GROUPS = {"workloads": POD_KINDS}
_INVENTORY_USE = re.compile(r'inventory_of\("(\w+)"\)')


class PolicyDefinitionError(ValueError):
    pass


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    description: str
    layer: int
    severity: str
    controls: tuple[str, ...]
    kinds: tuple[str, ...]
    package: str
    folder: Path
    gatekeeper: bool = True
    # Kind ("*" for every kind) -> texts: the policy can only find something in such an object
    # when its JSON, lower-cased, holds one of them (every rule is gated on them), so the review
    # skips the evaluation otherwise. custom.needs_text is a list (every kind) or a mapping.
    needs_text: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def may_find(self, kind: str, lowered_json: str) -> bool:
        texts = self.needs_text.get(kind) or self.needs_text.get("*")
        return not texts or any(t in lowered_json for t in texts)
    rego: str = field(repr=False, default="")

    @property
    def layer_name(self) -> str:
        return LAYERS[self.layer]


def _metadata(text: str, path: Path) -> dict:
    lines = text.splitlines()
    try:
        start = lines.index("# METADATA")
    except ValueError:
        raise PolicyDefinitionError(f"{path}: no '# METADATA' block") from None
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith("#"):
            break
        block.append(line[2:] if line.startswith("# ") else line[1:])
    return yaml.load("\n".join(block), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}  # noqa: S506 - a safe loader


def _package(text: str, path: Path) -> str:
    match = re.search(r"^package\s+([\w.]+)", text, re.MULTILINE)
    if not match:
        raise PolicyDefinitionError(f"{path}: no package line")
    return match.group(1)


def load_policy(folder: Path) -> Policy:
    path = folder / "policy.rego"
    text = path.read_text()
    meta = _metadata(text, path)
    custom = meta.get("custom") or {}
    pid = str(custom.get("id", ""))
    match = _ID.match(pid)
    if not match:
        raise PolicyDefinitionError(f"{path}: custom.id {pid!r} is not PLLM-L<layer>-<nnn>")
    layer = int(custom.get("layer", 0))
    if layer != int(match.group(1)):
        raise PolicyDefinitionError(f"{path}: custom.layer {layer} does not match id {pid}")
    severity = custom.get("severity")
    if severity not in SEVERITIES:
        raise PolicyDefinitionError(f"{path}: custom.severity {severity!r} is not one of {SEVERITIES}")
    controls = tuple(custom.get("controls") or ())
    kinds = tuple(dict.fromkeys(k for entry in custom.get("kinds") or () for k in KIND_GROUPS.get(entry, (entry,))))
    if not meta.get("title") or not meta.get("description") or not controls or not kinds:
        raise PolicyDefinitionError(f"{path}: title, description, custom.controls and custom.kinds are required")
    return Policy(
        id=pid,
        title=meta["title"],
        description=" ".join(str(meta["description"]).split()),
        layer=layer,
        severity=severity,
        controls=controls,
        kinds=kinds,
        package=_package(text, path),
        folder=folder,
        gatekeeper=bool(custom.get("gatekeeper", True)),
        needs_text=_needs_text(custom.get("needs_text"), path),
        rego=text,
    )


def _needs_text(value, path: Path) -> dict[str, tuple[str, ...]]:
    if not value:
        return {}
    if isinstance(value, list):
        value = {"*": value}
    if not isinstance(value, dict) or not all(isinstance(v, list) and v for v in value.values()):
        raise PolicyDefinitionError(f"{path}: custom.needs_text is a list of texts or a mapping kind -> texts")
    return {str(kind): tuple(str(t).lower() for t in texts) for kind, texts in value.items()}


def load_all(root: Path = POLICIES) -> list[Policy]:
    policies = [load_policy(p.parent) for p in sorted(root.glob("*/policy.rego"))]
    ids = [p.id for p in policies]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise PolicyDefinitionError(f"duplicate policy ids: {sorted(dupes)}")
    return sorted(policies, key=lambda p: p.id)


def library_modules(root: Path = POLICIES) -> dict[str, str]:
    """Shared Rego helpers (policies/lib/*.rego)."""
    return {str(p.relative_to(root)): p.read_text() for p in sorted((root / "lib").glob("*.rego"))}


def inventory_kinds(policies: list[Policy]) -> set[str]:
    """Kinds some policy looks up across the reviewed set (k.inventory_of): only these are kept."""
    return {kind for p in policies for kind in _INVENTORY_USE.findall(p.rego)}
