"""Review settings from a file (``--exemptions FILE`` in manifests mode) and exemption matching.

The file has the shape of a stack's ``privllm:review`` section (exemptions, allowed_registries,
host_port_ranges, profiles). An exemption without a reason or an owner is refused.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from policies.documents import ReviewInputError

if TYPE_CHECKING:  # the stack model is imported only when settings are read: review start-up stays light
    from privllm.stack.model import ReviewExemption, ReviewSettings


def load_settings(path: Path) -> ReviewSettings:
    from pydantic import ValidationError

    from privllm.stack.load import problems_from
    from privllm.stack.model import ReviewSettings

    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewInputError(f"{path}: cannot read ({exc})") from None
    except yaml.YAMLError as exc:
        raise ReviewInputError(f"{path}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if not isinstance(raw, dict):
        raise ReviewInputError(f"{path}: a mapping with 'exemptions:' (and optionally allowed_registries, host_port_ranges, profiles)")
    try:
        return ReviewSettings.model_validate(raw)
    except ValidationError as exc:
        raise ReviewInputError("; ".join(f"{path}: {p}" for p in problems_from(exc))) from None


def matches(exemption: ReviewExemption, policy_id: str, resource: dict) -> bool:
    return (
        exemption.policy == policy_id
        and fnmatchcase(resource.get("kind", ""), exemption.kind)
        and fnmatchcase(resource.get("namespace", ""), exemption.namespace)
        and fnmatchcase(resource.get("name", ""), exemption.name)
    )


def exemption_for(exemptions: list[ReviewExemption], policy_id: str, resource: dict) -> dict | None:
    for exemption in exemptions:
        if matches(exemption, policy_id, resource):
            return exemption.model_dump()
    return None
