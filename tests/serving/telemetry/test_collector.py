"""The collector configuration generated from each stack, and what the check refuses."""

from __future__ import annotations

import copy

import pytest

from privllm.serving.telemetry.check import check_stack, problems
from privllm.serving.telemetry.collector import gateway_config
from privllm.stack import load_stack
from tests.conftest import SHIPPED_STACKS


@pytest.mark.parametrize("stack", SHIPPED_STACKS)
def test_generated_config_passes_the_check(stack):
    assert check_stack(load_stack(stack)) == []


def test_exporters_follow_the_stack():
    cfg = load_stack("onprem")
    config = gateway_config(cfg)
    (name,) = config["exporters"]
    assert name == "splunk_hec/splunk"
    assert config["exporters"][name]["token"] == "${file:/var/run/secrets/privllm/splunk-hec-token/token}"
    # prompt_logging never: content attributes are removed before anything leaves.
    assert "attributes/drop-content" in config["service"]["pipelines"]["logs"]["processors"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c["exporters"]["syslog/corp-siem"]["tls"].update(insecure=True), "TLS is off"),
        (lambda c: c["exporters"]["syslog/corp-siem"]["sending_queue"].pop("storage"), "not persistent"),
        (lambda c: c["service"]["pipelines"]["logs"]["processors"].append("transform/missing"), "transform/missing is not defined"),
        (lambda c: c["service"]["pipelines"]["logs"]["processors"].remove("memory_limiter"), "memory_limiter must be the first"),
        (lambda c: c["receivers"]["otlp"]["protocols"]["grpc"].pop("tls"), "receiver otlp/grpc: TLS is off"),
        (lambda c: c["extensions"].pop("file_storage/queue"), "is not defined"),
    ],
)
def test_check_refuses_unsafe_configs(mutate, expected):
    config = copy.deepcopy(gateway_config(load_stack("reference")))
    mutate(config)
    assert any(expected in p for p in problems(config)), problems(config)
