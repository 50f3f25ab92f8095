"""The upstream Cluster Autoscaler and AWS Load Balancer Controller charts, at the pinned versions,
rendered by Helm v4 with the values the program passes: the keys exist, pods run restricted from
the mirror, and the service accounts are the ones the Pod Identity associations name.

The charts are not committed: a local chart cache is used when present (the plan's convention:
$PRIVLLM_CHARTS, one <chart>-<version>/ folder each; else ~/.cache/privllm/charts)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from privllm.infra import helm
from privllm.infra.components import gateway_lb, node_autoscaling

CACHES = [Path(p) for p in os.environ.get("PRIVLLM_CHARTS", "").split(os.pathsep) if p] or [Path.home() / ".cache" / "privllm" / "charts"]


def _render(plan, suffix: str, chart: str) -> list[dict]:
    (release,) = [r for r in plan.releases if r.name.endswith(suffix)]
    version = plan.cfg.mirror.charts[chart].version
    found = [c / f"{chart}-{version}" for c in CACHES if (c / f"{chart}-{version}" / "Chart.yaml").exists()]
    if not found:
        pytest.skip(f"chart {chart} {version} not in the chart cache {[str(c) for c in CACHES]}; put it there (PRIVLLM_CHARTS) to run this check")
    path = found[0]
    assert yaml.safe_load((path / "Chart.yaml").read_text())["version"] == version
    with helm.helm.Chart.load(str(path)) as loaded:
        files = loaded.render(values=helm.normalise(release.inputs["values"]), name=release.inputs.get("name", release.name),
                              namespace=release.inputs["namespace"], is_install=True)
    return [d for t, text in sorted(files.items()) if not t.endswith("NOTES.txt") for d in yaml.safe_load_all(text) if d]


@pytest.mark.parametrize(
    ("suffix", "chart", "service_account"),
    [("-cluster-autoscaler", "cluster-autoscaler", node_autoscaling.SERVICE_ACCOUNT),
     ("-aws-load-balancer-controller", "aws-load-balancer-controller", gateway_lb.SERVICE_ACCOUNT)],
)
def test_controller_chart_renders_restricted_from_the_mirror(reference, suffix, chart, service_account):
    objects = _render(reference, suffix, chart)
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    spec = deployment["spec"]["template"]["spec"]
    assert spec["serviceAccountName"] == service_account
    assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["nodeSelector"] == {"privllm.io/pool": "system"}
    for container in spec["containers"]:
        assert container["image"] == reference.cfg.mirror.image_ref(chart)
        ctx = container["securityContext"]
        assert ctx["allowPrivilegeEscalation"] is False and ctx["readOnlyRootFilesystem"] is True and ctx["capabilities"] == {"drop": ["ALL"]}


def test_autoscaler_discovers_this_cluster(reference):
    objects = _render(reference, "-cluster-autoscaler", "cluster-autoscaler")
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    command = " ".join(deployment["spec"]["template"]["spec"]["containers"][0]["command"])
    assert f"--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/{reference.cfg.target.cluster_name}" in command
    assert "--expander=least-waste" in command


def test_load_balancer_controller_mutates_no_services_implicitly(reference):
    objects = _render(reference, "-aws-load-balancer-controller", "aws-load-balancer-controller")
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert f"--cluster-name={reference.cfg.target.cluster_name}" in args
    assert f"--aws-region={reference.cfg.target.region}" in args
    assert {"--enable-shield=false", "--enable-waf=false", "--enable-wafv2=false"} <= set(args)
    assert not [o for o in objects if o["kind"] == "IngressClass"]
    (mutating,) = [o for o in objects if o["kind"] == "MutatingWebhookConfiguration"]
    paths = {w["clientConfig"]["service"]["path"] for w in mutating["webhooks"]}
    assert "/mutate-v1-service" not in paths  # only Services that name the NLB class are touched
