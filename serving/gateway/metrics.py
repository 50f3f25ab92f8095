"""The gateway's Prometheus metrics, in a registry owned by the app (no module globals)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("privllm_gateway_requests", "Requests by route, model and status", ["route", "model", "status"], registry=r)
        self.duration = Histogram(
            "privllm_gateway_request_duration_seconds", "Request duration", ["route"], registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
        )
        self.guard_blocks = Counter("privllm_gateway_guard_blocks", "Requests blocked or held by a guard", ["guard"], registry=r)
        self.guard_redactions = Counter("privllm_gateway_guard_redactions", "Values redacted by a guard", ["guard"], registry=r)
        self.rate_limited = Counter("privllm_gateway_rate_limited", "Requests refused by rate limits", ["limit"], registry=r)
        self.inflight = Gauge("privllm_gateway_upstream_inflight", "Requests waiting on a model", ["model"], registry=r)
        self.circuit_open = Gauge("privllm_gateway_upstream_circuit_open", "1 while the circuit to a model is open", ["model"], registry=r)
        self.tokens = Counter("privllm_gateway_tokens", "Tokens by principal, model and direction", ["principal", "model", "direction"], registry=r)
        self.audit_dropped = Gauge("privllm_gateway_audit_dropped_total", "Audit records dropped because the export queue was full", registry=r)
        self.audit_queued = Gauge("privllm_gateway_audit_queue_size", "Audit records waiting to be exported", registry=r)
        self.keystore_stale = Gauge("privllm_gateway_keystore_stale_seconds", "Seconds since the key store was last refreshed", registry=r)
        self.reviews_pending = Gauge("privllm_gateway_reviews_pending", "Completions held for human review", registry=r)
        self.output_tokens = Histogram(
            "privllm_gateway_output_tokens", "Completion length per model (drift signal)", ["model"], registry=r,
            buckets=(8, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192),
        )
        self.refusals = Counter("privllm_gateway_model_refusals", "Completions in which the model refused", ["model"], registry=r)
        self.ratelimit_store_up = Gauge("privllm_gateway_ratelimit_store_up", "1 while the shared rate-limit store (Redis) answers", registry=r)
        self.ratelimit_store_errors = Counter(
            "privllm_gateway_ratelimit_store_errors", "Requests decided while the rate-limit store was unreachable, by outage policy", ["policy"], registry=r,
        )
        self.cert_expiry = Gauge("privllm_gateway_tls_certificate_expiry_timestamp_seconds", "notAfter of each certificate the gateway trusts", ["file"], registry=r)
