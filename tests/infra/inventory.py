"""Reading a recorded plan in tests: cloud resources by type, Kubernetes objects by kind, and
stack variants built from the reference stack."""

from __future__ import annotations

import copy
import json

from privllm.stack import StackConfig, load_stack


def cloud(plan, typ: str) -> list:
    return [r for r in plan.cloud if r.type == typ]


def named(plan, typ: str, suffix: str):
    (found,) = [r for r in cloud(plan, typ) if r.name.endswith(suffix)]
    return found


def objects(plan, kind: str) -> list[dict]:
    return [o for o in plan.objects if o["kind"] == kind]


def policy(resource, key: str = "policy") -> dict:
    """A JSON policy document input, parsed."""
    return json.loads(resource.inputs[key])


def statements(resource, key: str = "policy") -> dict[str, dict]:
    return {s.get("Sid", str(i)): s for i, s in enumerate(policy(resource, key)["Statement"])}


def variant(stack: str = "reference", **changes) -> StackConfig:
    """The stack with changes by key path, parts joined by "__" (``aws__connectivity__runner=None``)."""
    values = copy.deepcopy(load_stack(stack).model_dump(mode="json", exclude_unset=True))
    for path, value in changes.items():
        node = values
        parts = [int(p) if p.isdigit() else p for p in path.split("__")]
        for p in parts[:-1]:
            node = node[p]
        node[parts[-1]] = value
    return StackConfig.model_validate(values)
