import pytest

from infra.plan import build
from privllm.stack import load_stack


@pytest.fixture(scope="session")
def plans():
    """The plan of every shipped stack, built once per session (each runs the whole program under mocks)."""
    return {name: build(load_stack(name), name) for name in ("reference", "local", "onprem")}


@pytest.fixture(scope="session")
def reference(plans):
    return plans["reference"]
