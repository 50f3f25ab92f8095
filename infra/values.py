"""Chart values derived from StackConfig: the only place a stack setting becomes a chart value."""

from __future__ import annotations

from privllm import facts
from privllm.facts import CA_CONFIGMAP
from privllm.stack import StackConfig
from privllm.stack.gateway_config import GatewayConfig, KeyStoreConfig, Upstream
from privllm.stack.model import Model
from privllm.stack.naming import METRICS_NAMESPACE, names, vault_address

__all__ = ["CA_CONFIGMAP", "external_vault_cidr", "gateway_config", "gateway_values", "max_num_seqs", "vault_port", "vllm_values", "wake_hold_seconds"]
GATEWAY_REDIS_SERVICE = f"{facts.GATEWAY_RELEASE}-redis"  # the chart's llm-gateway.redisName for the release
OPENAI_CLIENT_TIMEOUT_SECONDS = 600  # the openai SDK's default request timeout
WAKE_MARGIN = 1.25
DEMAND_SHARE = 0.75  # the share of a replica's batch the autoscaler aims for (bench/autoscaling_sim.py)


def _image(cfg: StackConfig, key: str) -> dict:
    img = cfg.mirror.images[key]
    return {"registry": cfg.mirror.image_registry, "repository": img.repository, "tag": img.tag, "digest": img.digest or ""}


def max_num_seqs(cfg: StackConfig, model: Model) -> int:
    """The stack's value, or the batch the model's KV cache supports on its pool (sizing)."""
    if model.max_num_seqs is not None:
        return model.max_num_seqs
    if model.pool is None:
        return 8  # the CPU stand-in
    from privllm.stack.sizing import for_model, max_num_seqs_for

    return max_num_seqs_for(for_model(model, cfg.pool(model.pool)))


def vllm_quantization(cfg: StackConfig, model: Model) -> str:
    """The --quantization value: the fast kernel for the pool's GPU (awq -> awq_marlin on sm 8.0+)."""
    if model.pool is None:
        return model.quantization  # the CPU stand-in ignores it
    from privllm.stack.hardware import GPUS
    from privllm.stack.kernels import kernel_for

    return kernel_for(model.quantization, GPUS[cfg.pool(model.pool).gpu]).vllm_method or "none"


def weights_claim(model: Model) -> str:
    """PVC holding a model's weights: the named claim for pvc://, a planned claim for s3://."""
    if model.weights.uri.startswith("pvc://"):
        return model.weights.uri.removeprefix("pvc://").split("/", 1)[0]
    return f"weights-{model.name}"


def weights_subpath(model: Model) -> str:
    if model.weights.uri.startswith("pvc://"):
        parts = model.weights.uri.removeprefix("pvc://").split("/", 1)
        return parts[1] if len(parts) > 1 else ""
    return ""


def vllm_values(cfg: StackConfig, model: Model) -> dict:
    n = names(cfg)
    standin = model.pool is None
    image = _image(cfg, "vllm-standin" if standin else "vllm")
    values: dict = {
        "image": image,
        "testImage": dict(image),
        "model": {
            "servedName": model.served_name,
            "path": "/models/weights",
            "quantization": vllm_quantization(cfg, model),
            "loadFormat": "" if model.weights.load_format == "auto" else model.weights.load_format,
            "kvCacheDtype": model.kv_cache_dtype,
            "tensorParallel": model.tensor_parallel,
            "pipelineParallel": model.pipeline_parallel,
            "maxModelLen": model.max_model_len,
            "gpuMemoryUtilization": model.gpu_memory_utilization,
            "maxNumSeqs": max_num_seqs(cfg, model),
            "enablePrefixCaching": model.enable_prefix_caching,
        },
        "weights": {
            "revision": model.weights.revision,
            "checksumManifest": model.weights.checksum_manifest,
            "manifestSha256": model.weights.manifest_sha256.removeprefix("sha256:"),
            "cache": {"enabled": model.weights.node_cache},
        },
        "apiKey": {
            "vaultAddress": vault_address(cfg),
            "vaultRole": facts.VAULT_ROLES["vllm"].name,
            "vaultPath": f"{cfg.vault.kv_mount}/data/{facts.VLLM_API_KEY_PATH}",
        },
        "autoscaling": {
            "enabled": True,
            "mode": "keda",
            "minReplicas": model.autoscaling.min_replicas,
            "maxReplicas": model.autoscaling.max_replicas,
            "scaleToZero": model.autoscaling.scale_to_zero,
            "queueDepth": model.autoscaling.target_queue_depth,
            "demandPerReplica": max(1, int(DEMAND_SHARE * max_num_seqs(cfg, model))),
            "kvCacheThreshold": model.autoscaling.kv_cache_threshold,
            "pollingInterval": model.autoscaling.polling_seconds,
            "cooldownPeriod": model.autoscaling.cooldown_seconds,
            "pendingMetric": facts.METRIC_PENDING_REQUESTS,
            "inflightMetric": facts.METRIC_UPSTREAM_INFLIGHT,
        },
        "networkPolicy": {
            "gatewayNamespace": n.gateway_ns,
            "gatewayPodLabels": {facts.LABEL_NAME: facts.GATEWAY_RELEASE},
            "metricsNamespace": METRICS_NAMESPACE,
        },
        "priorityClassName": facts.PRIORITY_CLASS_SERVING,
        "metrics": {"runbookBaseUrl": cfg.runbook_base_url, "ttftObjectiveSeconds": facts.TTFT_OBJECTIVE_SECONDS},
        "service": {"port": facts.VLLM_PORT, "metricsPort": facts.VLLM_METRICS_PORT},
    }
    if model.weights.uri.startswith("oci://"):
        values["weights"].update(source="image", imageReference=model.weights.uri.removeprefix("oci://"))
    else:
        # The claim's subdirectory is mounted with subPath, so model.path is the weights directory itself.
        values["weights"].update(source="pvc", claimName=weights_claim(model), subPath=weights_subpath(model))
    if model.compile_cache_claim:
        values["compileCache"] = {"claimName": model.compile_cache_claim}
    if model.pool is None:  # the CPU stand-in
        values["resources"] = {"gpus": 0, "cpu": "2", "memory": "4Gi"}
        values["shmSize"] = "256Mi"
        values["probes"] = {"startupFailureThreshold": 30}
    else:
        pool = cfg.pool(model.pool)
        per_pod = min(model.gpus, pool.gpus_per_node)
        values["resources"] = {"gpus": per_pod, "cpu": str(12 * per_pod), "memory": f"{96 * per_pod}Gi"}
        values["gpuPool"] = {
            "gpusPerNode": pool.gpus_per_node,
            "nodeSelector": {facts.LABEL_GPU_POOL: pool.name},
            "tolerations": [
                {"key": t.key, "operator": "Equal", "value": t.value, "effect": t.effect} for t in pool.taints
            ],
        }
        values["runtimeClassName"] = facts.GPU_RUNTIME_CLASS if cfg.target.kind != "kind" else ""
        values["shmSize"] = "16Gi"
        from privllm.serving.vllm.coldstart import for_model as cold_start
        from privllm.serving.vllm.coldstart import startup_failure_threshold
        from privllm.stack.model import EFA_NETWORK_CARDS

        # One vpc.amazonaws.com/efa resource per EFA interface of the node, for a model spanning nodes of an EFA pool.
        spans_nodes = model.gpus > pool.gpus_per_node
        values["multiNode"] = {"efaInterfaces": EFA_NETWORK_CARDS.get(pool.instance_type or "", 0) if pool.efa and spans_nodes else 0}
        cold = cold_start(cfg, model)
        values["probes"] = {"startupFailureThreshold": startup_failure_threshold(cold)}
        values["metrics"]["scaleFromZeroObjectiveSeconds"] = int(cold.total_s * WAKE_MARGIN)
    return values


def vault_port(cfg: StackConfig) -> int:
    host = vault_address(cfg).removeprefix("https://").rstrip("/")
    return int(host.rsplit(":", 1)[1]) if ":" in host else 443


def external_vault_cidr(cfg: StackConfig) -> str:
    """The egress destination that reaches an external Vault, matched by port."""
    if cfg.vault.mode != "external":
        return ""
    port = vault_port(cfg)
    for dest in cfg.network.egress:
        if port in dest.ports:
            return dest.cidr
    return ""


def gateway_config(cfg: StackConfig) -> GatewayConfig:
    """The gateway's whole configuration file: the stack's settings plus the upstreams and key store it derives."""
    n = names(cfg)
    g = cfg.gateway
    settings = g.model_dump(exclude={"replicas"})
    if g.replicas > 1:
        redis = {"redis_url": f"redis://{GATEWAY_REDIS_SERVICE}:{facts.REDIS_PORT}/0", "redis_password_file": facts.GATEWAY_REDIS_PASSWORD_FILE}
        settings["rate_limits"] = {**settings["rate_limits"], **redis}
    settings["audit"] = {**settings["audit"], "spool_dir": facts.GATEWAY_AUDIT_SPOOL_DIR}  # the chart's spool volume
    return GatewayConfig(
        **settings,
        listen_port=facts.GATEWAY_PORT,
        prompt_logging=cfg.data.prompt_logging,
        upstreams=[
            Upstream(name=m.served_name, url=n.vllm_url(m.name), data_classification=m.data_classification, high_risk=m.high_risk, response_schema=m.response_schema,
                     scale_to_zero=m.autoscaling.scale_to_zero, wake_hold_seconds=wake_hold_seconds(cfg, m))
            for m in cfg.models
        ],
        key_store=KeyStoreConfig(
            kind="vault",
            address=vault_address(cfg),
            kv_mount=cfg.vault.kv_mount,
            jwt_file=facts.GATEWAY_VAULT_TOKEN_FILE,
            ca_file=facts.GATEWAY_CA_FILE,
        ),
    )


def wake_hold_seconds(cfg: StackConfig, model: Model) -> float:
    """How long the gateway holds a request while a scale-to-zero model wakes: its cold start on a new node
    with a margin, within what OpenAI clients wait by default (600 s)."""
    if model.pool is None:
        return 120.0  # the CPU stand-in starts in seconds
    from privllm.serving.vllm.coldstart import for_model as cold_start

    return float(min(OPENAI_CLIENT_TIMEOUT_SECONDS, round(cold_start(cfg, model).total_s * WAKE_MARGIN)))


def gateway_values(cfg: StackConfig) -> dict:
    n = names(cfg)
    g = cfg.gateway
    return {
        "image": _image(cfg, "gateway"),
        "replicas": g.replicas,
        "priorityClassName": facts.PRIORITY_CLASS_GATEWAY,
        # Passed through unchanged: the chart writes it as gateway.yaml and the gateway loads it with the same model.
        "gateway": gateway_config(cfg).model_dump(mode="json"),
        "vault": {
            "namespace": n.vault_ns,
            "port": vault_port(cfg),
            "externalCidr": external_vault_cidr(cfg),
        },
        "tls": {"caConfigMap": CA_CONFIGMAP},
        "otlp": {"endpoint": n.collector_endpoint, "namespace": n.observability_ns, "port": facts.OTLP_GRPC_PORT},
        "networkPolicy": {
            "allowedCidrs": list(cfg.network.gateway_ingress_cidrs),
            "modelNamespace": n.serving_ns,
            "modelPort": facts.VLLM_PORT,
            "metricsNamespace": METRICS_NAMESPACE,
        },
        "redis": {
            "enabled": g.replicas > 1,
            "image": _image(cfg, "redis"),
            "port": facts.REDIS_PORT,
            "passwordVaultPath": f"{cfg.vault.kv_mount}/data/{facts.REDIS_PASSWORD_PATH}",
        },
        "metrics": {
            "runbookBaseUrl": cfg.runbook_base_url,
            "keyStoreStaleAlertSeconds": facts.KEY_STALE_ALERT_SECONDS,
            "burnRates": {"fast": facts.BURN_RATE_FAST, "slow": facts.BURN_RATE_SLOW},
        },
    }
