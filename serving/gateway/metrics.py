"""The gateway's Prometheus metrics, in a registry owned by the app (no module globals)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from privllm import facts


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(facts.METRIC_REQUESTS, "Requests by route, model and status", ["route", "model", "status"], registry=r)
        self.duration = Histogram(
            facts.METRIC_REQUEST_DURATION, "Request duration", ["route"], registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
        )
        self.guard_blocks = Counter(facts.METRIC_GUARD_BLOCKS, "Requests blocked or held by a guard", ["guard"], registry=r)
        self.guard_redactions = Counter(facts.METRIC_GUARD_REDACTIONS, "Values redacted by a guard", ["guard"], registry=r)
        self.rate_limited = Counter(facts.METRIC_RATE_LIMITED, "Requests refused by rate limits", ["limit"], registry=r)
        self.inflight = Gauge(facts.METRIC_UPSTREAM_INFLIGHT, "Requests waiting on a model", ["model"], registry=r)
        self.pending = Gauge(facts.METRIC_PENDING_REQUESTS, "Requests held while their model scales up from zero (serving/gateway/wake.py)", ["model"], registry=r)
        self.circuit_open = Gauge(facts.METRIC_UPSTREAM_CIRCUIT_OPEN, "1 while the circuit to a model is open", ["model"], registry=r)
        self.tokens = Counter(facts.METRIC_TOKENS, "Tokens by principal, model and direction", ["principal", "model", "direction"], registry=r)
        self.audit_dropped = Gauge(facts.METRIC_AUDIT_DROPPED, "Audit records dropped because the export queue was full", registry=r)
        self.audit_queued = Gauge(facts.METRIC_AUDIT_QUEUE_SIZE, "Audit records waiting to be exported", registry=r)
        self.keystore_stale = Gauge(facts.METRIC_KEYSTORE_STALE, "Seconds since the key store was last refreshed", registry=r)
        self.reviews_pending = Gauge(facts.METRIC_REVIEWS_PENDING, "Completions held for human review", registry=r)
        self.output_tokens = Histogram(
            facts.METRIC_OUTPUT_TOKENS, "Completion length per model (drift signal)", ["model"], registry=r,
            buckets=(8, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192),
        )
        self.refusals = Counter(facts.METRIC_MODEL_REFUSALS, "Completions in which the model refused", ["model"], registry=r)
        self.ratelimit_store_up = Gauge(facts.METRIC_RATELIMIT_STORE_UP, "1 while the shared rate-limit store (Redis) answers", registry=r)
        self.ratelimit_store_errors = Counter(
            facts.METRIC_RATELIMIT_STORE_ERRORS, "Requests decided while the rate-limit store was unreachable, by outage policy", ["policy"], registry=r,
        )
        self.connections_refused = Counter(
            facts.METRIC_CONNECTIONS_REFUSED, "Connections the HTTP server refused before any route saw a request, by reason", ["reason"], registry=r,
        )
        self.cert_expiry = Gauge(facts.METRIC_CERT_EXPIRY, "notAfter of each certificate the gateway trusts", ["file"], registry=r)
