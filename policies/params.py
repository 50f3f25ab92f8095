"""The parameters the policies read as ``data.privllm.params``: the kit's own tables, the stack's
mirror and groups, and the stack's review settings. One schema describes them; Gatekeeper's
exported templates carry it, and a constraint's ``spec.parameters`` take their place there.
"""

from __future__ import annotations

_STRINGS = {"type": "array", "items": {"type": "string"}}

PARAMS_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "mirror": {"type": "string", "description": "Registry prefix every image must start with (host[:port]/path)."},
        "chart_repository": {"type": "string", "description": "OCI prefix every chart must come from."},
        "allowed_registries": {**_STRINGS, "description": "Further registry prefixes images may come from."},
        "public_registries": {**_STRINGS, "description": "Registries on the internet (refused when no mirror is known)."},
        "host_port_ranges": {
            "type": "array",
            "description": "Host ports a container may bind.",
            "items": {"type": "object", "properties": {"min": {"type": "integer"}, "max": {"type": "integer"}}},
        },
        "profiles": {
            "type": "object",
            "description": "Pod Security profile per namespace (baseline or restricted); others are restricted.",
            "additionalProperties": {"type": "string", "enum": ["baseline", "restricted"]},
        },
        "allowed_prompt_logging": {
            "type": "object",
            "description": "Prompt logging modes each data classification tolerates.",
            "additionalProperties": _STRINGS,
        },
        "version_tag_pattern": {"type": "string", "description": "Regular expression an image tag must match when no digest is given."},
        "rbac": {"type": "object", "description": "The stack's RBAC groups by role.", "additionalProperties": _STRINGS},
        "prompt_logging_modes": {**_STRINGS, "description": "Every prompt logging mode."},
        "data_classes": {**_STRINGS, "description": "Every data classification."},
        "ports": {"type": "object", "description": "The kit's ports by component.", "additionalProperties": {"type": "integer"}},
        "namespace_suffixes": {"type": "object", "description": "The kit's namespace suffixes by role.", "additionalProperties": {"type": "string"}},
    },
}


def base_params() -> dict:
    """Parameters every review has, stack or not: the kit's own tables (privllm/facts.py)."""
    from privllm.facts import rego_params

    return rego_params()


def settings_params(settings) -> dict:
    """A stack's (or an --exemptions file's) review settings as parameters."""
    return {
        "allowed_registries": list(settings.allowed_registries),
        "host_port_ranges": [r.model_dump() for r in settings.host_port_ranges],
        "profiles": dict(settings.profiles),
        **({"version_tag_pattern": settings.version_tag_pattern} if settings.version_tag_pattern else {}),
    }


def review_params(cfg) -> dict:
    """What policies may know of the stack: its mirror, RBAC groups and review settings."""
    return {
        **base_params(),
        "mirror": cfg.mirror.image_registry,
        "chart_repository": cfg.mirror.chart_repository,
        "rbac": cfg.rbac.model_dump(),
        **settings_params(cfg.review),
    }
