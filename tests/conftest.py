"""Shared fixtures: stack values as plain dicts that tests can mutate."""

from __future__ import annotations

import copy

import pytest

from privllm.stack.load import read_stack_values, resolve_stack_path

SHIPPED_STACKS = ("reference", "local", "onprem")


@pytest.fixture
def reference_values() -> dict:
    return copy.deepcopy(read_stack_values(resolve_stack_path("reference")))
