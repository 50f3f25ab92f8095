"""`privllm up` gives the inline program exactly the stack file's provider settings."""

from __future__ import annotations

import json

import pytest
from pulumi import automation as auto

from privllm import up
from privllm.paths import INFRA
from privllm.stack import load_stack


class StandInStack:
    """Stands in for an Automation API stack (no Pulumi CLI here); records the config it is given."""

    def __init__(self):
        self.config: dict[str, auto.ConfigValue] = {}
        self.actions: list[str] = []

    def set_all_config(self, config, path=False):
        self.config.update(config)

    def up(self, on_output=None):
        self.actions.append("up")

    def preview(self, on_output=None):
        self.actions.append("preview")


def _write(tmp_path, config: dict):
    path = tmp_path / "Pulumi.test.yaml"
    path.write_text(json.dumps({"config": config}))
    return path


def test_reference_stack_config_carries_the_region_and_every_key():
    cfg = load_stack("reference")
    values = up.stack_config(cfg, INFRA / "Pulumi.reference.yaml")
    assert values["aws:region"] == "eu-central-1"
    assert json.loads(values["privllm:target"])["region"] == "eu-central-1"
    assert values["privllm:internal_ca_file"] == "ca/example-internal-ca.pem"


def test_region_is_derived_from_the_target_when_absent(tmp_path):
    cfg = load_stack("reference")
    values = up.stack_config(cfg, _write(tmp_path, {"aws:profile": "deploy"}))
    assert values == {"aws:profile": "deploy", "aws:region": "eu-central-1"}


def test_a_provider_region_that_disagrees_is_refused(tmp_path):
    cfg = load_stack("reference")
    with pytest.raises(up.UpError, match=r"aws:region is 'us-east-1' but privllm:target.region is 'eu-central-1'"):
        up.stack_config(cfg, _write(tmp_path, {"aws:region": "us-east-1"}))


def test_secure_provider_values_are_refused(tmp_path):
    cfg = load_stack("reference")
    with pytest.raises(up.UpError, match="aws:secretKey is a secure value"):
        up.stack_config(cfg, _write(tmp_path, {"aws:secretKey": {"secure": "v1:abc"}}))


def test_non_eks_stacks_get_no_aws_region():
    cfg = load_stack("onprem")
    assert "aws:region" not in up.stack_config(cfg, INFRA / "Pulumi.onprem.yaml")


def test_the_engine_stack_receives_the_stack_files_config(tmp_path, monkeypatch):
    stand_in = StandInStack()
    created = {}

    def create_or_select_stack(**kwargs):
        created.update(kwargs)
        return stand_in

    monkeypatch.setattr(auto, "create_or_select_stack", create_or_select_stack)
    monkeypatch.setattr(up, "STATE_DIR", tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "test")
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)
    monkeypatch.setattr(up, "preflight", lambda cfg: [])
    up.run("preview", load_stack("reference"), "reference")
    assert stand_in.actions == ["preview"] and created["stack_name"] == "reference"
    assert stand_in.config["aws:region"].value == "eu-central-1"
    assert json.loads(stand_in.config["privllm:target"].value)["cluster_name"] == "privllm-ref"
