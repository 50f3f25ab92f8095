"""GPU node groups: capacity reservations and blocks, EFA on every network card, scale from zero."""

from __future__ import annotations

from privllm.facts import LABEL_GPU_POOL
from privllm.infra.plan import build
from privllm.stack.model import EFA_NETWORK_CARDS
from tests.infra.components.test_aws_controller_charts import _render
from tests.infra.inventory import cloud, named, variant

LT = "aws:ec2/launchTemplate:LaunchTemplate"
NG = "aws:eks/nodeGroup:NodeGroup"


def test_capacity_reservation_is_targeted_by_the_launch_template(reference):
    pool = reference.cfg.pool("h100")
    lt = named(reference, LT, "-h100-lt")
    assert lt.inputs["capacityReservationSpecification"] == {"capacityReservationTarget": {"capacityReservationId": pool.capacity_reservation.id}}
    assert "instanceMarketOptions" not in lt.inputs
    assert named(reference, NG, "-h100").inputs["capacityType"] == "ON_DEMAND"
    assert "capacityReservationSpecification" not in named(reference, LT, "-l40s-lt").inputs


def test_capacity_block_uses_the_capacity_block_market():
    cfg = variant(gpu_pools__0__min_nodes=0, gpu_pools__0__capacity_reservation={"id": "cr-0a1b2c3d4e5f60718", "kind": "block", "availability_zone": "eu-central-1b"})
    plan = build(cfg, "capacity-block")
    lt = named(plan, LT, "-h100-lt")
    assert lt.inputs["instanceMarketOptions"] == {"marketType": "capacity-block"}
    assert named(plan, NG, "-h100").inputs["capacityType"] == "CAPACITY_BLOCK"


def test_efa_pool_has_an_efa_interface_on_every_network_card(reference):
    pool = reference.cfg.pool("h100")
    lt = named(reference, LT, "-h100-lt")
    interfaces = lt.inputs["networkInterfaces"]
    assert [i["networkCardIndex"] for i in interfaces] == list(range(EFA_NETWORK_CARDS[pool.instance_type]))
    assert all(i["interfaceType"] == "efa" for i in interfaces)
    assert [i["deviceIndex"] for i in interfaces[:2]] == [0, 1]
    efa_sg = named(reference, "aws:ec2/securityGroup:SecurityGroup", "-h100-efa")
    assert efa_sg.inputs["ingress"] == [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]
    assert efa_sg.inputs["egress"] == [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]
    assert all(i["securityGroups"][0] == "privllm-ref-gpu-pools-h100-efa-id" for i in interfaces)
    placement = named(reference, "aws:ec2/placementGroup:PlacementGroup", "-h100-placement")
    assert placement.inputs["strategy"] == "cluster" and lt.inputs["placement"] == {"groupName": placement.inputs["name"]}
    assert named(reference, NG, "-h100").inputs["subnetIds"] == ["privllm-ref-network-private-eu-central-1b-id"]  # the reservation's zone


def test_pools_without_efa_declare_no_interfaces(reference):
    assert "networkInterfaces" not in named(reference, LT, "-l40s-lt").inputs
    assert len(named(reference, NG, "-l40s").inputs["subnetIds"]) == 3


def test_scale_from_zero_pool_starts_empty(reference):
    pool = reference.cfg.pool("l40s")
    assert pool.min_nodes == 0
    scaling = named(reference, NG, "-l40s").inputs["scalingConfig"]
    assert scaling == {"minSize": 0, "maxSize": pool.max_nodes, "desiredSize": 0}
    assert {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"} in named(reference, NG, "-l40s").inputs["taints"]


def test_no_node_groups_outside_eks(plans):
    assert not cloud(plans["onprem"], NG) and not cloud(plans["local"], NG)


EFA_PLUGIN = "aws-efa-k8s-device-plugin"


def _efa_plugin_releases(plan) -> list:
    return [r for r in plan.releases if r.name.endswith(f"-{EFA_PLUGIN}")]


def test_efa_pool_gets_the_efa_device_plugin_on_its_nodes_only(reference):
    from privllm.stack.naming import names

    (release,) = _efa_plugin_releases(reference)
    cfg = reference.cfg
    assert release.inputs["chart"].endswith(f"/{EFA_PLUGIN}") and release.inputs["chart"].startswith(cfg.mirror.chart_repository)
    assert release.inputs["version"] == cfg.mirror.charts[EFA_PLUGIN].version
    assert release.inputs["namespace"] == names(cfg).gpu_ns
    values = release.inputs["values"]
    assert f"{values['image']['repository']}:{values['image']['tag']}" == cfg.mirror.image_ref(EFA_PLUGIN)
    # h100 has efa: true, l40s has not: the plugin's node affinity names only h100.
    assert values["supportedInstanceLabels"] == {"keys": [LABEL_GPU_POOL], "values": ["h100"]}
    assert values["tolerations"] == [{"key": t.key, "operator": "Exists", "effect": t.effect} for t in cfg.pool("h100").taints]


def test_no_efa_device_plugin_without_an_efa_pool(plans):
    no_efa = build(variant(gpu_pools__0__efa=False), "no-efa")
    assert _efa_plugin_releases(no_efa) == []
    assert _efa_plugin_releases(plans["onprem"]) == [] and _efa_plugin_releases(plans["local"]) == []


def test_efa_device_plugin_chart_schedules_only_onto_efa_nodes_from_the_mirror(reference):
    """The upstream chart rendered with the program's values (skipped, with the reason, without a chart cache)."""
    (daemonset,) = [o for o in _render(reference, f"-{EFA_PLUGIN}", EFA_PLUGIN) if o["kind"] == "DaemonSet"]
    spec = daemonset["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert container["image"] == reference.cfg.mirror.image_ref(EFA_PLUGIN)
    terms = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [{"matchExpressions": [{"key": LABEL_GPU_POOL, "operator": "In", "values": ["h100"]},
                                           {"key": "eks.amazonaws.com/compute-type", "operator": "NotIn", "values": ["auto"]}]}]
    for taint in reference.cfg.pool("h100").taints:
        assert {"key": taint.key, "operator": "Exists", "effect": taint.effect} in spec["tolerations"]
