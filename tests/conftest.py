"""Shared fixtures: stack values as plain dicts that tests can mutate, and the plans of the shipped stacks."""

from __future__ import annotations

import asyncio
import copy

import pytest

from privllm.stack.load import read_stack_values, resolve_stack_path

SHIPPED_STACKS = ("reference", "local", "onprem")


@pytest.fixture
def reference_values() -> dict:
    return copy.deepcopy(read_stack_values(resolve_stack_path("reference")))


@pytest.fixture(scope="session")
def plans():
    """The plan of every shipped stack, built once per test session (each runs the whole program under mocks).

    Shared by every test that reads a plan: treat it as read-only.
    """
    from privllm.infra.plan import build
    from privllm.stack import load_stack

    # Pulumi's mock runner asks for the current event loop; an earlier asyncio.run() leaves none set.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return {name: build(load_stack(name), name) for name in SHIPPED_STACKS}
    finally:
        asyncio.set_event_loop(None)
        loop.close()


@pytest.fixture(scope="session")
def reference(plans):
    return plans["reference"]
