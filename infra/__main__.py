"""Pulumi entry point (`pulumi up` / `privllm up`): reads privllm:* config into StackConfig."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from privllm.infra.program import deploy  # noqa: E402
from privllm.stack.load import StackError, problems_from  # noqa: E402
from privllm.stack.model import StackConfig  # noqa: E402


def _value(raw: str):
    """Pulumi stores structured config as JSON and plain strings as they are."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


_config = pulumi.Config("privllm")
_values = {field: _value(raw) for field in StackConfig.model_fields if (raw := _config.get(field)) is not None}
try:
    _cfg = StackConfig.model_validate(_values)
except ValidationError as exc:
    raise StackError(f"Pulumi.{pulumi.get_stack()}.yaml", problems_from(exc)) from None
deploy(_cfg)
