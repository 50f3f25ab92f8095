"""Stack rules for the eks target's AWS settings and an existing cluster's prerequisites."""

from __future__ import annotations

import copy

import pytest

from privllm.paths import INFRA
from privllm.stack.load import read_stack_values
from privllm.stack.model import CLOUDWATCH_RETENTION_DAYS
from tests.privllm.test_stack_model import _problems, _set


def assert_rule(values: dict, mutations: dict, path: str | None, fragment: str | None) -> None:
    """Apply the mutations; no problem when path is None, else one at path mentioning fragment."""
    for key, value in mutations.items():
        _set(values, key, value)
    problems = _problems(values)
    if path is None:
        assert problems == []
        return
    matching = [p for p in problems if p.startswith(path + ":")]
    assert matching, f"no problem at {path}; got {problems}"
    assert any(fragment in p for p in matching), matching


@pytest.fixture
def onprem_values() -> dict:
    return copy.deepcopy(read_stack_values(INFRA / "Pulumi.onprem.yaml"))


OCI = {"uri": "oci://registry.corp.internal:5000/weights/qwen", "revision": "sha256:" + "a" * 64, "manifest_sha256": "b" * 64}

REFERENCE_CASES = [
    ({"aws": ...}, "privllm:aws", "required when target.kind is 'eks'"),
    ({"telemetry.audit_retention_days": 45}, "privllm:telemetry.audit_retention_days", "valid values: [30, 60, 90"),
    ({"telemetry.audit_retention_days": 3650}, "privllm:telemetry.audit_retention_days", "3653"),
    ({"models.1.weights": OCI}, "privllm:models[1].weights.uri", "image volume"),
    ({"aws.connectivity.transit_gateway": ..., "aws.connectivity.runner": ...}, "privllm:aws.connectivity.transit_gateway", "path in"),
    ({"aws.connectivity.transit_gateway": ...}, "privllm:aws.connectivity.operator_cidrs", "need transit_gateway"),
    ({"aws.connectivity.transit_gateway": ..., "aws.connectivity.operator_cidrs": []}, "privllm:aws.connectivity.transit_gateway", "outside the VPC"),
    ({"aws.connectivity.transit_gateway": ..., "aws.connectivity.operator_cidrs": [], "aws.connectivity.runner": ...}, "privllm:aws.connectivity.transit_gateway", "path in"),
    ({"aws.connectivity.operator_cidrs": ["0.0.0.0/0"]}, "privllm:aws.connectivity.operator_cidrs[0]", "too broad"),
    ({"aws.connectivity.dns_forwarding": []}, "privllm:aws.connectivity.dns_forwarding", "registry.corp.internal (mirror.image_registry)"),
    ({"aws.connectivity.dns_forwarding.0.domain": "other.internal"}, "privllm:aws.connectivity.dns_forwarding", "in no forwarded zone"),
    ({"telemetry.siem.0.endpoint": "siem.elsewhere.example:6514"}, "privllm:aws.connectivity.dns_forwarding", "siem.elsewhere.example (telemetry.siem[0].endpoint)"),
    ({"gateway.oidc.issuer": "https://sso.elsewhere.example/realms/x"}, "privllm:aws.connectivity.dns_forwarding", "gateway.oidc.issuer"),
    ({"aws.access.deployer": "arn:aws:iam::111122223333:user/alice"}, "privllm:aws.access.deployer", "should match pattern"),
    ({"aws.gateway_certificate_arn": "arn:aws:acm:eu-central-1:1:certificate/x"}, "privllm:aws.gateway_certificate_arn", "should match pattern"),
    ({"gpu_pools.1.efa": True}, "privllm:gpu_pools[1].efa", "no EFA support"),
    ({"gpu_pools.0.efa": False, "models.0.tensor_parallel": 8, "models.0.pipeline_parallel": 2}, "privllm:models[0].pool", "needs efa: true"),
    ({"gpu_pools.0.capacity_reservation": {"id": "cr-0a1b2c3d4e5f60718", "kind": "block", "availability_zone": "eu-central-1b"}}, "privllm:gpu_pools[0].min_nodes", "capacity block"),
    ({"gpu_pools.0.capacity_reservation": {"id": "reservation-1", "availability_zone": "eu-central-1b"}}, "privllm:gpu_pools[0].capacity_reservation.id", "should match pattern"),
    ({"prerequisites": {"network_policy_cni": "calico"}}, "privllm:prerequisites", "only for target.kind 'existing'"),
    ({"gpu_pools.0.capacity_reservation.availability_zone": "eu-west-1a"}, "privllm:gpu_pools[0].capacity_reservation.availability_zone", "not one of network.availability_zones"),
    ({"gpu_pools.1.instance_type": ...}, "privllm:gpu_pools[1].instance_type", "required when target.kind is 'eks'"),
    # Valid variants.
    ({"telemetry.audit_retention_days": 731}, None, None),
    ({"gpu_pools.0.min_nodes": 0, "gpu_pools.0.capacity_reservation": {"id": "cr-0a1b2c3d4e5f60718", "kind": "block", "availability_zone": "eu-central-1b"}}, None, None),
    ({"aws.connectivity.transit_gateway": ..., "aws.connectivity.operator_cidrs": [], "network.gateway_ingress_cidrs": ["10.40.96.0/20"],
      "network.egress": [{"name": "siem", "cidr": "10.40.128.0/24", "ports": [6514]}],
      "aws.connectivity.dns_forwarding.0.resolver_ips": ["10.40.128.10"]}, None, None),
]


@pytest.mark.parametrize(("mutations", "path", "fragment"), REFERENCE_CASES, ids=[str(c[0])[:70] for c in REFERENCE_CASES])
def test_reference_rules(reference_values, mutations, path, fragment):
    assert_rule(reference_values, mutations, path, fragment)


def test_retention_values_are_cloudwatchs():
    assert 45 not in CLOUDWATCH_RETENTION_DAYS and {30, 365, 3653} <= set(CLOUDWATCH_RETENTION_DAYS)


ONPREM_CASES = [
    ({"prerequisites": ...}, "privllm:prerequisites", "required when target.kind is 'existing'"),
    ({"prerequisites.network_policy_cni": "flannel"}, "privllm:prerequisites.network_policy_cni", "Input should be"),
    ({"models.0.weights": OCI}, "privllm:models[0].weights.uri", "prerequisites.image_volumes"),
    ({"gpu_pools.0.efa": True}, "privllm:gpu_pools[0].efa", "only for target.kind 'eks'"),
    ({"aws": {"access": {"deployer": "arn:aws:iam::111122223333:role/x"}, "connectivity": {"runner": {"ami_id": "ami-0a1b2c3d4e5f60718"}},
              "gateway_certificate_arn": "arn:aws:acm:eu-central-1:111122223333:certificate/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"}},
     "privllm:aws", "only for target.kind 'eks'"),
    ({"models.0.weights": OCI, "prerequisites.image_volumes": True}, None, None),
]


@pytest.mark.parametrize(("mutations", "path", "fragment"), ONPREM_CASES, ids=[str(c[0])[:70] for c in ONPREM_CASES])
def test_onprem_rules(onprem_values, mutations, path, fragment):
    assert_rule(onprem_values, mutations, path, fragment)
