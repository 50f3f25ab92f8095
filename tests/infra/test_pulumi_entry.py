"""infra/__main__.py, the entry `pulumi up` runs, reads privllm:* config into StackConfig."""

from __future__ import annotations

import json
import runpy

import pulumi
import pytest

from privllm.infra.plan import _Mocks
from privllm.paths import INFRA
from privllm.stack.load import StackError, read_stack_values, resolve_stack_path


def _run_with_config(values: dict) -> pulumi.runtime.mocks.MockMonitor:
    monitor = pulumi.runtime.mocks.MockMonitor(_Mocks())
    pulumi.runtime.set_mocks(_Mocks(), project="privllm", stack="reference", preview=False, monitor=monitor)
    pulumi.runtime.set_all_config({f"privllm:{k}": json.dumps(v) if not isinstance(v, str) else v for k, v in values.items()})

    @pulumi.runtime.test
    def run():
        runpy.run_path(str(INFRA / "__main__.py"), run_name="__main__")

    run()
    return monitor


def test_entry_point_deploys_the_stack_from_pulumi_config():
    monitor = _run_with_config(read_stack_values(resolve_stack_path("reference")))
    types = {urn.split("::")[2].split("$")[-1] for urn in monitor.resources}
    assert "aws:eks/cluster:Cluster" in types and "kubernetes:helm.sh/v4:Chart" in types


def test_entry_point_refuses_a_broken_config_with_key_paths():
    values = read_stack_values(resolve_stack_path("reference"))
    values["models"][0]["quantization"] = "fp3"
    with pytest.raises(StackError, match=r"privllm:models\[0\]\.quantization"):
        _run_with_config(values)
