"""Structured routes: the model's JSON answer must conform to the route's schema."""

from __future__ import annotations

import json

import jsonschema

GUARD_ID = "PLLM-G-OUTPUT-SCHEMA"


def violation(text: str | None, schema: dict) -> str | None:
    """Why ``text`` does not conform, or None when it does."""
    if text is None:
        return "the model returned no content"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"the model's answer is not JSON ({exc.msg})"
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        return f"the model's answer breaks the schema at {where}: {exc.message}"
    return None
