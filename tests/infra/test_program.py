"""Security properties of what the Pulumi program registers, asserted on the recorded inputs."""

from __future__ import annotations

import pytest

from privllm.infra.kube import containers, pod_specs
from privllm.stack.naming import METRICS_NAMESPACE, names


def _cloud(plan, typ):
    return [r for r in plan.cloud if r.type == typ]


def _objects(plan, kind):
    return [o for o in plan.objects if o["kind"] == kind]


def test_eks_api_is_private_encrypted_and_audited(reference):
    (cluster,) = _cloud(reference, "aws:eks/cluster:Cluster")
    vpc = cluster.inputs["vpcConfig"]
    assert vpc["endpointPublicAccess"] is False and vpc["endpointPrivateAccess"] is True
    assert cluster.inputs["encryptionConfig"]["resources"] == ["secrets"]
    assert cluster.inputs["encryptionConfig"]["provider"]["keyArn"]
    assert {"api", "audit", "authenticator"} <= set(cluster.inputs["enabledClusterLogTypes"])


def test_air_gapped_network_has_no_internet_path(reference):
    types = {r.type for r in reference.cloud}
    assert "aws:ec2/internetGateway:InternetGateway" not in types
    assert "aws:ec2/natGateway:NatGateway" not in types
    assert "aws:ec2/eip:Eip" not in types
    for subnet in _cloud(reference, "aws:ec2/subnet:Subnet"):
        assert subnet.inputs["mapPublicIpOnLaunch"] is False
    (rt,) = _cloud(reference, "aws:ec2/routeTable:RouteTable")
    assert rt.inputs.get("routes") in (None, [])
    services = {e.inputs["serviceName"].rsplit(".", 1)[-1] for e in _cloud(reference, "aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert {"s3", "sts", "kms", "logs", "dkr", "api"} <= services


def test_no_security_group_admits_the_internet(reference):
    for sg in _cloud(reference, "aws:ec2/securityGroup:SecurityGroup") + _cloud(reference, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"):
        for rule in (sg.inputs.get("ingress") or []) + (sg.inputs.get("egress") or []):
            assert "0.0.0.0/0" not in (rule.get("cidrBlocks") or []), sg.name


def test_nodes_require_imdsv2_and_encrypted_disks(reference):
    templates = _cloud(reference, "aws:ec2/launchTemplate:LaunchTemplate")
    assert len(templates) == 3  # system + two GPU pools
    for lt in templates:
        meta = lt.inputs["metadataOptions"]
        assert meta["httpTokens"] == "required" and meta["httpPutResponseHopLimit"] == 1
        ebs = lt.inputs["blockDeviceMappings"][0]["ebs"]
        assert ebs["encrypted"] == "true" and ebs["kmsKeyId"]


def test_gpu_node_groups_are_tainted_and_labelled(reference):
    groups = {g.name: g for g in _cloud(reference, "aws:eks/nodeGroup:NodeGroup")}
    gpu = [g for name, g in groups.items() if not name.endswith("-system")]
    assert len(gpu) == 2
    for g in gpu:
        assert {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"} in g.inputs["taints"]
        assert g.inputs["amiType"] == "AL2023_x86_64_NVIDIA"
        assert "privllm.io/gpu-pool" in g.inputs["labels"]


def test_kms_key_rotates(reference):
    (key,) = _cloud(reference, "aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True


@pytest.mark.parametrize("stack", ["reference", "local", "onprem"])
def test_namespaces_pod_security(plans, stack):
    plan = plans[stack]
    n = names(plan.cfg)
    namespaces = {o["metadata"]["name"]: o["metadata"] for o in _objects(plan, "Namespace")}
    extra = {n.siem_standin_ns} if plan.cfg.target.kind == "kind" else set()
    if not plan.cfg.preinstalled.prometheus:
        extra.add(METRICS_NAMESPACE)  # the kit's own Prometheus
    assert set(namespaces) == set(n.all_namespaces) | extra
    for ns in extra:
        assert namespaces[ns]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for ns in n.workload_namespaces:
        assert namespaces[ns]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for ns, reason in n.node_agent_namespaces.items():
        assert namespaces[ns]["annotations"]["privllm.io/pod-security-reason"] == reason
        assert namespaces[ns]["labels"]["pod-security.kubernetes.io/audit"] == "restricted"


@pytest.mark.parametrize("stack", ["reference", "local", "onprem"])
def test_default_deny_in_every_namespace(plans, stack):
    plan = plans[stack]
    deny = {
        o["metadata"]["namespace"]
        for o in _objects(plan, "NetworkPolicy")
        if o["spec"]["podSelector"] == {} and set(o["spec"]["policyTypes"]) == {"Ingress", "Egress"} and not o["spec"].get("ingress") and not o["spec"].get("egress")
    }
    namespaces = {o["metadata"]["name"] for o in _objects(plan, "Namespace")}
    assert deny == namespaces


def test_rbac_has_no_wildcards_and_no_cluster_admin(reference):
    # The kit's own roles; third-party controllers' RBAC is reviewed with the stack's exemptions (test_real_charts).
    third_party = {id(o) for r in reference.third_party for o in r.objects}
    for role in [o for o in _objects(reference, "ClusterRole") + _objects(reference, "Role") if id(o) not in third_party]:
        for rule in role.get("rules", []):
            for key in ("verbs", "resources", "apiGroups"):
                assert "*" not in rule.get(key, []), role["metadata"]["name"]
            assert "secrets" not in rule.get("resources", [])
            assert not {"pods/exec", "pods/attach"} & set(rule.get("resources", []))
    for binding in _objects(reference, "RoleBinding") + _objects(reference, "ClusterRoleBinding"):
        assert binding["roleRef"]["name"] != "cluster-admin"
    bound = {(b["metadata"]["namespace"], b["roleRef"]["name"]) for b in _objects(reference, "RoleBinding")}
    assert ("privllm-serving", "privllm-model-operator") in bound
    assert ("privllm-serving", "privllm-app-client") not in bound


def test_service_accounts_do_not_automount_tokens(reference):
    # The kit's own objects; third-party controllers that need the API are named exemptions (infra/exemptions.py).
    third_party = [id(o) for r in reference.third_party for o in r.objects]
    own = [o for o in reference.objects if id(o) not in third_party]
    for sa in [o for o in own if o["kind"] == "ServiceAccount"]:
        assert sa["automountServiceAccountToken"] is False
    for obj in own:
        for spec in pod_specs(obj):
            assert spec.get("automountServiceAccountToken") is False, obj["metadata"]["name"]


def test_third_party_charts_come_from_the_mirror_pinned(plans):
    for plan in plans.values():
        repo = plan.cfg.mirror.chart_repository
        for r in plan.releases:
            assert r.inputs["chart"].startswith(repo + "/"), r.inputs["chart"]
            assert r.inputs["version"] == plan.cfg.mirror.charts[r.inputs["chart"].rsplit("/", 1)[1]].version


def test_every_image_is_from_the_mirror(plans):
    for plan in plans.values():
        registry = plan.cfg.mirror.image_registry
        for obj in plan.objects:
            for spec in pod_specs(obj):
                for c in containers(spec):
                    assert c["image"].startswith(registry + "/"), c["image"]


def test_model_values_follow_the_stack(reference):
    dep = next(o for o in reference.objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "llama-70b-vllm-server")
    spec = dep["spec"]["template"]["spec"]
    args = spec["containers"][0]["args"][0]
    assert "'--tensor-parallel-size' '4'" in args and "'--quantization' 'fp8'" in args and "'--kv-cache-dtype' 'fp8'" in args
    assert spec["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == 4
    assert spec["nodeSelector"] == {"privllm.io/gpu-pool": "h100"}
    claims = {o["metadata"]["name"] for o in reference.objects if o["kind"] == "PersistentVolumeClaim"}
    assert claims == {"weights-llama-70b", "weights-qwen-7b"}
    qwen = next(o for o in reference.objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "qwen-7b-vllm-server")
    volume = next(v for v in qwen["spec"]["template"]["spec"]["volumes"] if v["name"] == "weights")
    # S3 weights through Mountpoint, never an image volume (beta, off on EKS).
    assert volume == {"name": "weights", "persistentVolumeClaim": {"claimName": "weights-qwen-7b", "readOnly": True}}


def test_gateway_values_follow_the_stack(reference):
    cm = next(o for o in reference.objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "llm-gateway")
    text = cm["data"]["gateway.yaml"]
    assert "requests_per_minute: 120" in text and "prompt_logging: hash" in text
    assert "http://llama-70b-vllm-server.privllm-serving.svc:8000" in text
    assert "high_risk: true" in text


def test_cloud_resources_are_attributed_to_components(reference):
    components = {r.component for r in reference.cloud}
    assert components == {
        "Keys", "Network", "Connectivity", "Cluster", "EksAccess", "GpuNodePools", "Storage",
        "VaultUnsealIdentity", "NodeAutoscaling", "GatewayLoadBalancer",
    }


def test_collector_ships_to_the_siem_over_tls_with_a_persistent_queue(reference):
    release = next(r for r in reference.releases if r.name.endswith("-otel-collector"))
    # alternateConfig: the chart uses it as the whole configuration, merging none of its defaults.
    config = release.inputs["values"]["alternateConfig"]
    (exporter,) = config["exporters"].values()
    assert exporter["tls"]["insecure"] is False
    assert exporter["sending_queue"]["storage"] == "file_storage/queue"
    assert "file_storage/queue" in config["service"]["extensions"]


def test_collector_releases_open_only_the_ports_they_serve(reference):
    by_name = {r.inputs["name"]: r.inputs["values"] for r in reference.releases if r.inputs.get("name") in ("otel-collector", "otel-agent")}
    opened = {name: sorted(p for p, spec in values["ports"].items() if spec["enabled"]) for name, values in by_name.items()}
    assert opened == {"otel-collector": ["metrics", "otlp", "otlp-http"], "otel-agent": []}
    assert all("config" not in values and "presets" not in values for values in by_name.values())


def test_a_model_spanning_nodes_brings_the_leader_worker_set_controller(reference_values, tmp_path):
    from privllm.infra.chart_source import ChartSource
    from privllm.infra.plan import build
    from privllm.stack import StackConfig

    reference_values["models"][0] |= {"tensor_parallel": 8, "pipeline_parallel": 2}  # 16 GPUs: two 8-GPU nodes
    plan = build(StackConfig.model_validate(reference_values), "multi-node", ChartSource([tmp_path]))
    assert "lws" in {r.release for r in plan.third_party}
    assert any(o["kind"] == "LeaderWorkerSet" for o in plan.objects)
    single = build(StackConfig.model_validate({**reference_values, "models": reference_values["models"][1:]}), "single", ChartSource([tmp_path]))
    assert "lws" not in {r.release for r in single.third_party}


def _release_values(plan, release: str) -> dict:
    return next(r.inputs["values"] for r in plan.releases if r.inputs.get("name") == release)


def test_third_party_images_are_catalogue_images_in_the_mirror(reference):
    cfg = reference.cfg
    keda = _release_values(reference, "keda")["image"]["keda"]
    # KEDA's chart joins registry/repository:tag itself: the mirror must appear once.
    assert f"{keda['registry']}/{keda['repository']}:{keda['tag']}" == cfg.mirror.image_ref("keda")
    gatekeeper = _release_values(reference, "gatekeeper")
    probe = gatekeeper["postInstall"]["probeWebhook"]["image"]
    assert f"{probe['repository']}:{probe['tag']}" == cfg.mirror.image_ref("gatekeeper-probe")
    csi = _release_values(reference, "secrets-store-csi-driver")["linux"]
    for key, image in (("crds", csi["crds"]["image"]), ("registrarImage", csi["registrarImage"]), ("livenessProbeImage", csi["livenessProbeImage"])):
        assert image["repository"].startswith(cfg.mirror.image_registry + "/"), key


def test_gatekeeper_fails_closed_and_its_exempt_namespaces_carry_the_ignore_label(reference):
    n = names(reference.cfg)
    values = _release_values(reference, "gatekeeper")
    assert values["validatingWebhookFailurePolicy"] == "Fail"
    exempt = set(values["controllerManager"]["exemptNamespaces"])
    labelled = {o["metadata"]["name"] for o in _objects(reference, "Namespace") if "admission.gatekeeper.sh/ignore" in o["metadata"]["labels"]}
    assert labelled == exempt == set(n.node_agent_namespaces)


def test_vault_can_write_its_config_and_finds_its_raft_peers(reference):
    server = _release_values(reference, "vault")["server"]
    assert {"name": "tmp", "mountPath": "/tmp"} in server["volumeMounts"]
    config = server["ha"]["raft"]["config"]
    replicas = server["ha"]["replicas"]
    assert config.count("retry_join {") == replicas
    assert f'leader_api_addr = "https://vault-{replicas - 1}.vault-internal.' in config


def test_gpu_pods_have_their_runtime_class(plans):
    for name, plan in plans.items():
        classes = {o["metadata"]["name"] for o in _objects(plan, "RuntimeClass")}
        # An existing cluster states its own (privllm:prerequisites.runtime_class); the plan checks it is named there.
        assert classes == ({"nvidia"} if plan.cfg.gpu_pools and not plan.cfg.prerequisites else set()), name
