"""Audit records: exactly one per request, through the OpenTelemetry Logs SDK.

Content leaves the process only as the data policy allows: never (absent), hash (sha256)
or redacted (sensitive values replaced). Attribute names follow the OpenTelemetry GenAI
semantic conventions where they fit (gen_ai.*), the rest are privllm.* (docs/audit-schema.md).

Loss policy: the SDK's batch processor gives a batch up once its exporter's retry window
passes, so a SIEM or collector outage would lose records silently. ReliableQueue keeps a
bounded queue and retries until the receiver is back; it drops only when the queue is full,
and counts every drop.
"""

from __future__ import annotations

import collections
import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.resource.v1 import resource_pb2
from opentelemetry.sdk._logs.export import LogRecordExportResult

from serving.gateway.guards.sensitive import redact
from serving.telemetry import otlp_wire

log = logging.getLogger("privllm.gateway.audit")

SCHEMA_VERSION = "1"


@dataclass
class AuditRecord:
    request_id: str
    route: str
    method: str
    started: float = field(default_factory=time.time)
    principal: str | None = None
    key_id: str | None = None
    model: str | None = None
    target: str | None = None
    variant: str | None = None
    rerouted_from: str | None = None
    decision: str = "allowed"  # allowed | denied | held | error
    status: int = 0
    reason: str | None = None  # error code
    guards: list[dict] = field(default_factory=list)  # [{"id", "action", "detail"}]
    input_tokens: int | None = None
    output_tokens: int | None = None
    data_classification: str | None = None
    prompt: str | None = None  # only as the data policy allows
    completion: str | None = None
    review_id: str | None = None
    documents_dropped: list[str] = field(default_factory=list)
    latency_ms: float | None = None

    def guard(self, guard_id: str, action: str, detail: str | None = None) -> None:
        self.guards.append({"id": guard_id, "action": action, **({"detail": detail} if detail else {})})

    def attributes(self) -> dict[str, Any]:
        attrs = {
            "privllm.audit.schema": SCHEMA_VERSION,
            "privllm.request_id": self.request_id,
            "http.route": self.route,
            "http.request.method": self.method,
            "http.response.status_code": self.status,
            "privllm.decision": self.decision,
            "privllm.principal": self.principal,
            "privllm.key_id": self.key_id,
            "gen_ai.request.model": self.model,
            "gen_ai.system": "vllm",
            "privllm.upstream": self.target,
            "privllm.variant": self.variant,
            "privllm.rerouted_from": self.rerouted_from,
            "privllm.reason": self.reason,
            "privllm.guards": [f"{g['id']}:{g['action']}" for g in self.guards],
            "gen_ai.usage.input_tokens": self.input_tokens,
            "gen_ai.usage.output_tokens": self.output_tokens,
            "privllm.data_classification": self.data_classification,
            "privllm.prompt": self.prompt,
            "privllm.completion": self.completion,
            "privllm.review_id": self.review_id,
            "privllm.documents_dropped": self.documents_dropped,
            "privllm.latency_ms": self.latency_ms,
        }
        return {k: v for k, v in attrs.items() if v is not None and v != []}


def content(text: str | None, mode: str) -> str | None:
    """Prompt or completion as the data policy allows it to leave the process."""
    if text is None or mode == "never":
        return None
    if mode == "hash":
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return redact(text)[0]


def _any_value(value) -> common_pb2.AnyValue:
    if isinstance(value, bool):
        return common_pb2.AnyValue(bool_value=value)
    if isinstance(value, int):
        return common_pb2.AnyValue(int_value=value)
    if isinstance(value, float):
        return common_pb2.AnyValue(double_value=value)
    if isinstance(value, (list, tuple)):
        return common_pb2.AnyValue(array_value=common_pb2.ArrayValue(values=[_any_value(v) for v in value]))
    return common_pb2.AnyValue(string_value=str(value))


class AuditExporter:
    """The SDK's OTLP/gRPC log exporter (OTEL_EXPORTER_OTLP_* configuration, TLS, headers,
    compression, retries) fed with audit records built straight into OTLP protobuf.

    Why not the SDK Logger API: it re-validates every attribute of every record on the request
    path (about 65 us a record here, a third of the gateway's throughput under load). Audit
    attributes are already typed by AuditRecord, so the batch is encoded once, in the export
    thread (serving.telemetry.otlp_wire).
    """

    def __init__(self, exporter=None, service_name: str | None = None):
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter

        resource = resource_pb2.Resource(attributes=[
            common_pb2.KeyValue(key="service.name", value=_any_value(service_name or os.environ.get("OTEL_SERVICE_NAME", "llm-gateway"))),
        ] + [
            common_pb2.KeyValue(key=k, value=_any_value(v))
            for k, v in (item.split("=", 1) for item in os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "").split(",") if "=" in item)
        ])
        scope = common_pb2.InstrumentationScope(name="privllm.audit", version=SCHEMA_VERSION)

        resource_bytes, scope_bytes = resource.SerializeToString(), scope.SerializeToString()

        def translate(batch) -> logs_service_pb2.ExportLogsServiceRequest:
            records = []
            for i, (started, attrs) in enumerate(batch):
                records.append(otlp_wire.log_record(int(started * 1e9), attrs, "privllm.audit", "privllm.audit"))
                if i % 32 == 31:
                    time.sleep(0)  # hand the GIL back to the event loop between small slices
            return logs_service_pb2.ExportLogsServiceRequest.FromString(otlp_wire.export_request(resource_bytes, scope_bytes, records))

        self._exporter = exporter or OTLPLogExporter()
        self._exporter._translate_data = translate  # the exporter's one translation hook

    def export(self, batch) -> bool:
        return self._exporter.export(batch) == LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        self._exporter.shutdown()


class ReliableQueue:
    """A bounded queue drained by one thread that retries until the receiver accepts a batch.

    The SDK's batch processor gives a batch up once its exporter's retry window passes, so a
    collector or SIEM outage would lose records silently; here only a full queue drops, counted.
    """

    def __init__(self, exporter: AuditExporter, max_queue: int = 10_000, batch: int = 512, delay: float = 0.5):
        self._exporter = exporter
        self._queue: collections.deque = collections.deque()
        self._max_queue = max_queue
        self._batch = batch
        self._delay = delay
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._stop = False
        self.dropped = 0
        self.exported = 0
        self.failures = 0
        self._thread = threading.Thread(target=self._run, name="privllm-audit-export", daemon=True)
        self._thread.start()

    def put(self, item) -> None:
        with self._lock:
            if len(self._queue) >= self._max_queue:
                self.dropped += 1
                return
            self._queue.append(item)
            self._idle.clear()
        if len(self._queue) >= self._batch:
            self._wake.set()

    def _run(self) -> None:
        backoff = self._delay
        while True:
            self._wake.wait(self._delay)
            self._wake.clear()
            while True:
                with self._lock:
                    batch = [self._queue[i] for i in range(min(self._batch, len(self._queue)))]
                if not batch:
                    self._idle.set()
                    break
                if self._exporter.export(batch):
                    with self._lock:
                        for _ in batch:
                            self._queue.popleft()
                    self.exported += len(batch)
                    backoff = self._delay
                    continue
                # Receiver down: keep the batch and try again later; never drop on failure.
                self.failures += 1
                if self._stop:
                    return
                time.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
            if self._stop:
                return

    def flush(self, timeout: float = 30.0) -> bool:
        self._wake.set()
        return self._idle.wait(timeout) or not self._queue

    def shutdown(self) -> None:
        self.flush(10.0)
        self._stop = True
        self._wake.set()
        self._thread.join(2)
        self._exporter.shutdown()

    @property
    def queued(self) -> int:
        return len(self._queue)


def _export_child(conn, exporter_options: dict, max_queue: int, counters) -> None:
    """The export process: receives batches of (time, attributes), encodes and ships them."""
    import signal

    # The gateway process decides when this one stops (it sends None, or goes away).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter

    queue = ReliableQueue(AuditExporter(OTLPLogExporter(**exporter_options)), max_queue=max_queue)

    def publish() -> None:
        counters[0], counters[1], counters[2], counters[3] = queue.dropped, queue.queued, queue.failures, queue.exported

    while True:
        if conn.poll(0.2):
            try:
                batch = conn.recv()
            except EOFError:
                break
            if batch is None:
                break
            for item in batch:
                queue.put(item)
        publish()
    queue.shutdown()
    publish()


class ExportProcess:
    """Audit export in a child process (the SDK's OTLP exporter there, configured from the same
    OTEL_EXPORTER_OTLP_* environment): encoding and shipping never share the gateway's interpreter
    lock with its event loop. The gateway only hands over small pickled batches."""

    def __init__(self, exporter_options: dict, max_queue: int):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")  # no fork of a process that may hold gRPC or event-loop state
        self._counters = ctx.Array("q", 4, lock=False)  # dropped, queued, failures, exported (child side)
        receiver, self._sender = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_export_child, args=(receiver, exporter_options, max_queue, self._counters), name="privllm-audit-export", daemon=True)
        self._proc.start()
        receiver.close()
        self._max_queue = max_queue
        self._pending: list = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self.local_dropped = 0
        self._thread = threading.Thread(target=self._pump, name="privllm-audit-pump", daemon=True)
        self._thread.start()

    def put(self, item) -> None:
        with self._lock:
            if len(self._pending) >= self._max_queue:
                self.local_dropped += 1
                return
            self._pending.append(item)
            if len(self._pending) >= 256:
                self._wake.set()

    def _take(self) -> list:
        with self._lock:
            batch, self._pending = self._pending, []
        return batch

    def _pump(self) -> None:
        while not self._stop:
            self._wake.wait(0.1)
            self._wake.clear()
            batch = self._take()
            if batch:
                try:
                    self._sender.send(batch)
                except (BrokenPipeError, OSError):
                    self.local_dropped += len(batch)
                    log.error("the audit export process is gone; %d records dropped", len(batch))

    @property
    def dropped(self) -> int:
        return self.local_dropped + self._counters[0]

    @property
    def queued(self) -> int:
        return len(self._pending) + self._counters[1]

    @property
    def failures(self) -> int:
        return self._counters[2]

    @property
    def exported(self) -> int:
        return self._counters[3]

    def shutdown(self) -> None:
        self._stop = True
        self._wake.set()
        self._thread.join(2)
        try:
            rest = self._take()
            if rest:
                self._sender.send(rest)
            self._sender.send(None)  # the child flushes its queue, then exits
        except (BrokenPipeError, OSError):
            pass
        self._proc.join(20)
        if self._proc.is_alive():
            self._proc.terminate()


class AuditLog:
    """Writes each record to OTLP (when OTEL_EXPORTER_OTLP_* is set, or `otlp` options are given)
    and optionally to a JSONL file."""

    def __init__(self, prompt_logging: str, jsonl: Path | None = None, otlp: dict | None = None, max_queue: int = 10_000):
        self.prompt_logging = prompt_logging
        self.processor: ExportProcess | None = None
        if otlp is not None or _otlp_configured():
            self.processor = ExportProcess(otlp or {}, max_queue)
        self._jsonl = open(jsonl, "a", buffering=1) if jsonl else None  # noqa: SIM115 - closed in close()
        self._jsonl_lock = threading.Lock()

    @property
    def dropped(self) -> int:
        return self.processor.dropped if self.processor else 0

    def emit(self, record: AuditRecord) -> None:
        attrs = record.attributes()
        if self.processor is not None:
            self.processor.put((record.started, attrs))
        if self._jsonl is not None:
            line = json.dumps({"time": record.started, **attrs}, separators=(",", ":"))
            with self._jsonl_lock:
                self._jsonl.write(line + "\n")

    def close(self) -> None:
        if self.processor is not None:
            self.processor.shutdown()
        if self._jsonl is not None:
            self._jsonl.close()


def _otlp_configured() -> bool:
    if not (os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")):
        return False
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL") or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    if protocol.startswith("http"):
        raise ValueError("OTEL_EXPORTER_OTLP_PROTOCOL http/protobuf is not installed in the gateway image; use grpc")
    return True
