"""vllm-server rendered by real Helm v4, for every ci scenario and every shipped stack's model:
flags and environment valid for the pinned vLLM release, multi-node that can form, weights that
are found and verified, and an API port only the gateway reaches."""

from __future__ import annotations

import hashlib
import shlex
from pathlib import Path

import pytest
import yaml

from privllm.infra.values import vllm_values
from privllm.infra import helm
from privllm.infra.kube import containers, pod_specs
from privllm.paths import CHARTS
from privllm.stack import load_stack
from privllm.serving.vllm.cli_table import load as cli_table
from privllm.serving.vllm.standin import seed_weights

CHART = CHARTS / "vllm-server"
CI = sorted(CHART.glob("ci/*-values.yaml"))
STACKS = ("reference", "onprem", "local")
# Environment variables the chart sets that belong to other software than vLLM, with their owner.
NOT_VLLM_ENV = {
    "HF_HUB_OFFLINE": "huggingface_hub",
    "TRANSFORMERS_OFFLINE": "transformers",
    "HF_HUB_DISABLE_TELEMETRY": "huggingface_hub",
    "HF_HOME": "huggingface_hub",
    "DO_NOT_TRACK": "consoledonottrack.com convention (vLLM's envs.py reads it for VLLM_DO_NOT_TRACK)",
    "HOME": "POSIX",
    "XDG_CACHE_HOME": "XDG base directories",
    "TMPDIR": "POSIX",
    "TRITON_CACHE_DIR": "Triton",
    "FI_PROVIDER": "libfabric",
    "FI_EFA_USE_DEVICE_RDMA": "libfabric EFA provider",
    "FI_EFA_FORK_SAFE": "libfabric EFA provider",
    "NCCL_NET_GDR_LEVEL": "NCCL",
}


def _stack_values() -> list[tuple[str, dict]]:
    out = []
    for stack in STACKS:
        cfg = load_stack(stack)
        for model in cfg.models:
            out.append((f"{stack}:{model.name}", helm.normalise(vllm_values(cfg, model))))
    return out


SCENARIOS = [(p.name, yaml.safe_load(p.read_text())) for p in CI] + _stack_values()


@pytest.fixture(scope="module", params=SCENARIOS, ids=[name for name, _ in SCENARIOS])
def rendered(request):
    name, values = request.param
    return name, values, helm.render("vllm-server", values, release="m", namespace="privllm-serving")


def _vllm_commands(out) -> list[list[str]]:
    """Every `vllm serve` command line the chart renders (leader, worker or single), as argv."""
    commands = []
    for obj in out.objects:
        for spec in pod_specs(obj):
            for c in containers(spec):
                if c["name"] != "vllm":
                    continue
                script = c["args"][0]
                line = next(ln for ln in script.splitlines() if ln.strip().startswith("exec "))
                commands.append(shlex.split(line.strip())[1:])
    return commands


def _env_names(out) -> set[str]:
    return {e["name"] for obj in out.objects for spec in pod_specs(obj) for c in containers(spec) for e in c.get("env") or []}


# ------------------------------------------------------------------ the pinned release
def test_every_rendered_flag_is_known_to_the_pinned_release(rendered):
    _, _, out = rendered
    table = cli_table()
    commands = _vllm_commands(out)
    assert commands
    for argv in commands:
        assert argv[:2] == ["vllm", "serve"]
        assert table.unknown_flags(argv) == [], f"not flags of vLLM {table.version}"
        if "--quantization" in argv:
            assert argv[argv.index("--quantization") + 1] in table.quantization_methods


def test_every_rendered_environment_variable_is_known(rendered):
    _, _, out = rendered
    table = cli_table()
    for name in _env_names(out):
        assert name in table.env_vars or name in NOT_VLLM_ENV, f"{name} is neither in vLLM {table.version}'s envs.py nor a named other owner's"


def test_pin_is_one_release_everywhere():
    """The image the chart, the stack default and the flag table name is one release: bumping one alone fails here."""
    from privllm.stack.model import _default_images

    tag = cli_table().image_tag
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert values["image"]["tag"] == values["testImage"]["tag"] == chart["appVersion"] == tag
    assert _default_images()["vllm"].tag == tag


def test_extraargs_flags_are_checked_too():
    table = cli_table()
    assert table.unknown_flags(["--max-num-batched-tokens=8192", "--enable_chunked_prefill"]) == []
    assert table.unknown_flags(["--disable-log-requests"]) == ["--disable-log-requests"]  # removed before 0.33
    assert table.unknown_flags(["--no-such-flag", "value"]) == ["--no-such-flag"]


# ------------------------------------------------------------------ multi-node
def test_multinode_group_forms_without_waiting_on_itself():
    values = yaml.safe_load((CHART / "ci/multinode-values.yaml").read_text())
    out = helm.render("vllm-server", values, release="m", namespace="p")
    lws = next(o for o in out.objects if o["kind"] == "LeaderWorkerSet")
    # Workers are created with the leader; the leader is ready only after every rank joined.
    assert lws["spec"]["startupPolicy"] == "LeaderCreated"
    template = lws["spec"]["leaderWorkerTemplate"]
    leader, worker = (template[k]["spec"]["containers"][0] for k in ("leaderTemplate", "workerTemplate"))
    la, wa = (shlex.split(next(ln for ln in c["args"][0].splitlines() if ln.startswith("exec ")))[1:] for c in (leader, worker))
    def flag(argv, name):
        return argv[argv.index(name) + 1]
    for name in ("--nnodes", "--master-addr", "--master-port", "--tensor-parallel-size", "--pipeline-parallel-size"):
        assert flag(la, name) == flag(wa, name), name
    assert flag(la, "--nnodes") == str(template["size"]) == "2"
    assert flag(la, "--node-rank") == "0" and flag(wa, "--node-rank") == "$(LWS_WORKER_INDEX)"
    assert "--headless" in wa and "--headless" not in la
    assert int(flag(la, "--tensor-parallel-size")) * int(flag(la, "--pipeline-parallel-size")) == 2 * leader["resources"]["limits"]["nvidia.com/gpu"]
    assert "startupProbe" not in worker and "readinessProbe" not in worker
    assert "ray" not in leader["args"][0] + worker["args"][0]
    for c in (leader, worker):
        assert c["resources"]["limits"]["vpc.amazonaws.com/efa"] == 32
        env = {e["name"]: e.get("value") for e in c["env"]}
        assert env["FI_PROVIDER"] == "efa" and env["FI_EFA_USE_DEVICE_RDMA"] == "1"
        assert "VLLM_HOST_IP" in env
    # Ranks reach each other on any port; nothing else is opened for it.
    policy = next(o for o in out.objects if o["kind"] == "NetworkPolicy")
    assert any(rule["from"] == [{"podSelector": {"matchLabels": policy["spec"]["podSelector"]["matchLabels"]}}] and "ports" not in rule
               for rule in policy["spec"]["ingress"])


def test_no_efa_settings_on_single_node_or_pools_without_efa():
    out = helm.render("vllm-server", yaml.safe_load((CHART / "ci/default-values.yaml").read_text()), release="m", namespace="p")
    names = _env_names(out)
    assert not names & {"FI_PROVIDER", "VLLM_HOST_IP"}
    dep = next(o for o in out.objects if o["kind"] == "Deployment")
    assert "vpc.amazonaws.com/efa" not in dep["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]


# ------------------------------------------------------------------ weights found and verified
def _pod(out) -> dict:
    obj = next(o for o in out.objects if o["kind"] in ("Deployment", "LeaderWorkerSet"))
    return next(iter(pod_specs(obj)))


@pytest.mark.parametrize("stack", STACKS)
def test_every_shipped_models_weights_are_found_and_verified(stack, tmp_path):
    """Mount the claim as the chart does (subPath) over a directory laid out as the uri says, and run the
    chart's own verifier with the chart's own arguments: what the init container would do."""
    from tests.serving.vllm.test_weights_verifier import run_verifier

    cfg = load_stack(stack)
    for model in cfg.models:
        values = helm.normalise(vllm_values(cfg, model))
        out = helm.render("vllm-server", values, release=model.name, namespace="privllm-serving")
        spec = _pod(out)
        init = next(c for c in spec["initContainers"] if c["name"] == "verify-weights")
        mount = next(m for m in init["volumeMounts"] if m["name"] == "weights")
        args = init["args"]
        assert args[args.index("--dir") + 1] == mount["mountPath"] == values["model"]["path"]
        uri = model.weights.uri
        claim_root = tmp_path / stack / model.name
        inside = uri.split("://", 1)[1].split("/", 1)[1] if uri.startswith("pvc://") and "/" in uri.split("://", 1)[1] else ""
        assert mount.get("subPath", "") == inside, "the claim's subdirectory must be mounted with subPath"
        # The weights as they lie in the claim (the stand-in's seeded directory for the kind stack).
        weights_dir = claim_root / inside if inside else claim_root
        if model.pool is None:
            seed_weights(str(weights_dir), model.served_name)  # what the kind stack's seed job writes
            assert run_verifier(init, mount_at={mount["mountPath"]: weights_dir}) == 0
        else:
            # The example stacks' digests are examples: a manifest that is not the pinned one is refused ...
            seed_weights(str(weights_dir), model.served_name)
            assert run_verifier(init, mount_at={mount["mountPath"]: weights_dir}) == 1
            # ... and the same directory passes once its manifest's digest is the one recorded: the paths agree.
            digest = hashlib.sha256((weights_dir / model.weights.checksum_manifest).read_bytes()).hexdigest()
            pinned = dict(init, args=[digest if a == values["weights"]["manifestSha256"] else a for a in init["args"]])
            assert run_verifier(pinned, mount_at={mount["mountPath"]: weights_dir}) == 0
        # vLLM serves the directory the verifier checked (or its verified node-local copy).
        vllm = next(c for c in spec["containers"] if c["name"] == "vllm")
        serve_path = _vllm_commands(out)[0][2]
        assert serve_path == ("/models/cache" if model.weights.node_cache else mount["mountPath"])
        assert any(m["name"] == "weights" and m["mountPath"] == mount["mountPath"] and m.get("subPath", "") == inside
                   for m in vllm["volumeMounts"])


def test_weights_cache_is_filled_by_the_verifier_and_read_by_vllm():
    out = helm.render("vllm-server", yaml.safe_load((CHART / "ci/weights-cache-values.yaml").read_text()), release="m", namespace="p")
    spec = _pod(out)
    init = spec["initContainers"][0]
    assert init["args"][init["args"].index("--copy-to") + 1] == "/models/cache"
    assert {"name": "weights-cache", "mountPath": "/models/cache"} in init["volumeMounts"]
    vllm = spec["containers"][0]
    assert {"name": "weights-cache", "mountPath": "/models/cache", "readOnly": True} in vllm["volumeMounts"]
    assert _vllm_commands(out)[0][2] == "/models/cache"
    cache = next(v for v in spec["volumes"] if v["name"] == "weights-cache")
    assert cache["emptyDir"]["sizeLimit"] == "40Gi"


def test_compile_cache_on_a_shared_volume_where_set():
    out = helm.render("vllm-server", yaml.safe_load((CHART / "ci/multinode-values.yaml").read_text()), release="m", namespace="p")
    spec = _pod(out)
    c = spec["containers"][0]
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert {"name": "compile-cache", "mountPath": env["VLLM_CACHE_ROOT"]} in c["volumeMounts"]
    assert next(v for v in spec["volumes"] if v["name"] == "compile-cache")["persistentVolumeClaim"]["claimName"] == "vllm-compile-cache"


def test_weights_values_that_cannot_work_are_refused():
    base = yaml.safe_load((CHART / "ci/default-values.yaml").read_text())
    cases = [
        ({"weights": {**base["weights"], "manifestSha256": ""}}, "weights.manifestSha256 is required"),
        ({"weights": {**base["weights"], "subPath": "../other"}}, "/weights/subPath"),
        ({"model": {**base["model"], "loadFormat": "runai_streamer"}, "weights": {**base["weights"], "cache": {"enabled": True}}}, "choose one"),
        ({"model": {**base["model"], "quantization": "awq_v2"}}, "/model/quantization"),
    ]
    for override, named in cases:
        with pytest.raises(helm.ChartValuesError) as exc:
            helm.render("vllm-server", {**base, **override}, release="m", namespace="p")
        assert named in str(exc.value)


# ------------------------------------------------------------------ who reaches which port
def _admits(policy: dict, peer_ns: str, peer_labels: dict, port: int) -> bool:
    """NetworkPolicy ingress semantics for one peer pod and one TCP port (namespace/pod selectors with matchLabels)."""
    def matches(selector: dict, labels: dict) -> bool:
        return all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items())

    own_ns = policy["metadata"]["namespace"]
    for rule in policy["spec"].get("ingress") or []:
        if "ports" in rule and not any(p.get("port") == port for p in rule["ports"]):
            continue
        for peer in rule.get("from") or []:
            ns_ok = matches(peer["namespaceSelector"], {"kubernetes.io/metadata.name": peer_ns}) if "namespaceSelector" in peer else peer_ns == own_ns
            pod_ok = matches(peer["podSelector"], peer_labels) if "podSelector" in peer else True
            if ns_ok and pod_ok:
                return True
    return False


def test_only_the_gateway_reaches_the_api_port_and_the_scraper_only_metrics():
    cfg = load_stack("reference")
    from privllm.stack.naming import METRICS_NAMESPACE, names

    n = names(cfg)
    for model in cfg.models:
        values = helm.normalise(vllm_values(cfg, model))
        out = helm.render("vllm-server", values, release=model.name, namespace=n.serving_ns)
        policy = next(o for o in out.objects if o["kind"] == "NetworkPolicy")
        api, metrics = values.get("service", {}).get("port", 8000), values.get("service", {}).get("metricsPort", 8001)
        gateway = (n.gateway_ns, {"app.kubernetes.io/name": "llm-gateway"})
        prometheus = (METRICS_NAMESPACE, {"app.kubernetes.io/name": "prometheus"})
        helm_test = (n.serving_ns, {"privllm.io/helm-test": f"{model.name}-vllm-server"})
        neighbour = (n.serving_ns, {"app.kubernetes.io/name": "something-else"})
        impostor = ("team-a", {"app.kubernetes.io/name": "llm-gateway"})  # the gateway's labels in another namespace
        assert _admits(policy, *gateway, api)
        for peer in (prometheus, helm_test, neighbour, impostor):
            assert not _admits(policy, *peer, api), f"{peer} reaches the API port (/invocations runs without the key)"
        assert _admits(policy, *prometheus, metrics) and _admits(policy, *helm_test, metrics)
        assert not _admits(policy, *neighbour, metrics)
        monitor = next(o for o in out.objects if o["kind"] == "ServiceMonitor")
        assert [e["port"] for e in monitor["spec"]["endpoints"]] == ["metrics"]
        service = next(o for o in out.objects if o["kind"] == "Service")
        assert {p["name"]: p["port"] for p in service["spec"]["ports"]} == {"http": api, "metrics": metrics}
        sidecar = next(c for c in _pod(out)["containers"] if c["name"] == "metrics")
        assert sidecar["command"][-1].endswith("metrics_proxy.py")


def test_scripts_configmap_ships_the_repository_files_unchanged():
    out = helm.render("vllm-server", yaml.safe_load((CHART / "ci/default-values.yaml").read_text()), release="m", namespace="p")
    cm = next(o for o in out.objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].endswith("-scripts"))
    for name in ("sha256sums.py", "metrics_proxy.py"):
        assert cm["data"][name].strip() == (CHART / "files" / name).read_text().strip()


# ------------------------------------------------------------------ kernels per GPU
def test_quantized_models_get_the_fast_kernel_for_their_gpu():
    ref, onprem = load_stack("reference"), load_stack("onprem")
    by_model = {(s, m.name): helm.normalise(vllm_values(cfg, m))["model"]["quantization"]
                for s, cfg in (("reference", ref), ("onprem", onprem)) for m in cfg.models}
    assert by_model[("reference", "qwen-7b")] == "awq_marlin"  # L40S, sm 8.9
    assert by_model[("reference", "llama-70b")] == "fp8"  # H100, sm 9.0
    assert by_model[("onprem", "mixtral")] == "gptq_marlin"  # A100, sm 8.0
    assert by_model[("onprem", "llama-8b")] == "none"


def test_chart_scenarios_stay_valid_files():
    assert {p.name for p in CI} >= {"multinode-values.yaml", "weights-cache-values.yaml", "runai-streamer-values.yaml"}
    for p in CI:
        assert isinstance(yaml.safe_load(Path(p).read_text()), dict)


# ------------------------------------------------------------------ scale from zero
def test_scale_to_zero_models_wake_on_the_gateways_pending_demand():
    from privllm.infra.values import gateway_values
    from privllm import facts
    from privllm.serving.gateway.config import GatewayConfig
    from privllm.serving.gateway.wake import WakeGate

    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    assert defaults["autoscaling"]["pendingMetric"] == facts.METRIC_PENDING_REQUESTS
    assert defaults["autoscaling"]["inflightMetric"] == facts.METRIC_UPSTREAM_INFLIGHT
    assert (defaults["service"]["port"], defaults["service"]["metricsPort"]) == (facts.VLLM_PORT, facts.VLLM_METRICS_PORT)
    cfg = load_stack("reference")
    model = next(m for m in cfg.models if m.autoscaling.scale_to_zero)
    out = helm.render("vllm-server", helm.normalise(vllm_values(cfg, model)), release=model.name, namespace="privllm-serving")
    scaled = next(o for o in out.objects if o["kind"] == "ScaledObject")
    assert scaled["spec"]["minReplicaCount"] == 0
    wake = next(t for t in scaled["spec"]["triggers"] if t["name"] == "wake-from-zero")
    assert f'{facts.METRIC_PENDING_REQUESTS}{{model="{model.served_name}"}}' in wake["metadata"]["query"]
    assert wake["metadata"]["activationThreshold"] == "0"
    # The gateway chart tells the gateway which models to hold, from the same stack field.
    gw = helm.render("llm-gateway", helm.normalise(gateway_values(cfg)), release=facts.GATEWAY_RELEASE, namespace="privllm-gateway")
    config_map = next(o for o in gw.objects if o["kind"] == "ConfigMap" and "gateway.yaml" in o.get("data", {}))
    gateway_config = GatewayConfig.model_validate(yaml.safe_load(config_map["data"]["gateway.yaml"]))
    gate = WakeGate.for_config(gateway_config)
    assert gate.models == {m.served_name for m in cfg.models if m.autoscaling.scale_to_zero}
    # Held as long as the model's cold start on a new node takes (with a margin), within a client's default patience.
    from privllm.serving.vllm.coldstart import for_model as cold_start

    cold = cold_start(cfg, model).total_s
    assert min(cold, 600) <= gate.hold_by_model[model.served_name] <= 600
