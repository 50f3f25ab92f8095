"""Gatekeeper honours the stack's review exemptions (``privllm:review.exemptions``): one list, each
entry a policy, object globs (kind, namespace, name), a reason and an owner, that the review counts
and the installed constraints skip. The kit never denies its own components, and every exception to
that is written down there; the admission dry run (infra/admission.py) evaluates exactly this Rego,
so a missing exemption is a plan problem naming the object it would deny.
"""

from __future__ import annotations

import copy
from typing import Any

_RULE = 'violation contains {"msg": msg} if {\n'
_EXEMPT = """
privllm_exempt if {
\tsome e in input.parameters.exemptions
\tglob.match(e.kind, [], input.review.object.kind)
\tglob.match(e.name, [], input.review.object.metadata.name)
\tglob.match(e.namespace, [], object.get(input.review.object.metadata, "namespace", ""))
}
"""
_GLOB = {"type": "string"}
_EXEMPTIONS_SCHEMA = {
    "type": "array",
    "description": "Objects this constraint does not judge (the stack's review exemptions for its policy).",
    "items": {"type": "object", "properties": {"kind": _GLOB, "namespace": _GLOB, "name": _GLOB}},
}


def exempting(template: dict, constraint: dict, exemptions: list[Any]) -> tuple[dict, dict]:
    """The pair with ``exemptions`` (each with kind, namespace and name globs) honoured: the
    template's violation rule skips matching objects, the constraint lists them beside its other
    parameters. Unchanged when there are none."""
    if not exemptions:
        return template, constraint
    template, constraint = copy.deepcopy(template), copy.deepcopy(constraint)
    source = template["spec"]["targets"][0]["code"][0]["source"]
    if source["rego"].count(_RULE) != 1:
        raise ValueError(f"ConstraintTemplate {template['metadata']['name']}: no single violation rule to add exemptions to")
    source["rego"] = source["rego"].replace(_RULE, _RULE + "\tnot privllm_exempt\n") + _EXEMPT
    validation = template["spec"]["crd"]["spec"].setdefault("validation", {})
    schema = validation.setdefault("openAPIV3Schema", {"type": "object"})
    schema.setdefault("properties", {})["exemptions"] = _EXEMPTIONS_SCHEMA
    parameters = constraint["spec"].setdefault("parameters", {})
    parameters["exemptions"] = [{"kind": e.kind, "namespace": e.namespace, "name": e.name} for e in exemptions]
    return template, constraint
