"""Audit records: exactly one per request, through the OpenTelemetry Logs SDK.

Content leaves the process only as the data policy allows: never (absent), hash (sha256)
or redacted (sensitive values replaced). Attribute names follow the OpenTelemetry GenAI
semantic conventions where they fit (gen_ai.*), the rest are privllm.* (docs/audit-schema.md).

Loss policy: the SDK's batch processor gives a batch up once its exporter's retry window
passes, so a SIEM or collector outage would lose records silently. ReliableLogProcessor
keeps a bounded queue and retries until the receiver is back; it drops only when the queue
is full, and counts every drop.
"""

from __future__ import annotations

import collections
import copy
import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk._logs import LoggerProvider, LogRecordProcessor, ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.resources import Resource

from serving.gateway.guards.sensitive import redact

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


class ReliableLogProcessor(LogRecordProcessor):
    def __init__(self, exporter: LogRecordExporter, max_queue: int = 10_000, batch: int = 512, delay: float = 0.5):
        self._exporter = exporter
        self._queue: collections.deque[ReadableLogRecord] = collections.deque()
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

    def on_emit(self, log_record) -> None:
        api_record = copy.copy(log_record.log_record)
        api_record.context = Context()
        readable = ReadableLogRecord(
            log_record=api_record,
            resource=log_record.resource or Resource.create({}),
            instrumentation_scope=log_record.instrumentation_scope,
            limits=log_record.limits,
        )
        with self._lock:
            if len(self._queue) >= self._max_queue:
                self.dropped += 1
                return
            self._queue.append(readable)
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
                result = self._exporter.export(batch)
                if result == LogRecordExportResult.SUCCESS:
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

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        self._wake.set()
        return self._idle.wait(timeout_millis / 1000) or not self._queue

    def shutdown(self) -> None:
        self.force_flush(10_000)
        self._stop = True
        self._wake.set()
        self._thread.join(2)
        self._exporter.shutdown()

    @property
    def queued(self) -> int:
        return len(self._queue)


class AuditLog:
    """Writes each record to OTLP (when OTEL_EXPORTER_OTLP_* is set) and optionally to a JSONL file."""

    def __init__(self, prompt_logging: str, jsonl: Path | None = None, exporter: LogRecordExporter | None = None, max_queue: int = 10_000):
        self.prompt_logging = prompt_logging
        self.processor: ReliableLogProcessor | None = None
        self._provider: LoggerProvider | None = None
        exporter = exporter or _exporter_from_env()
        if exporter is not None:
            self._provider = LoggerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "llm-gateway")}))
            self.processor = ReliableLogProcessor(exporter, max_queue=max_queue)
            self._provider.add_log_record_processor(self.processor)
            self._logger = self._provider.get_logger("privllm.audit", SCHEMA_VERSION)
        self._jsonl = open(jsonl, "a", buffering=1) if jsonl else None  # noqa: SIM115 - closed in close()
        self._jsonl_lock = threading.Lock()

    @property
    def dropped(self) -> int:
        return self.processor.dropped if self.processor else 0

    def emit(self, record: AuditRecord) -> None:
        attrs = record.attributes()
        if self._provider is not None:
            self._logger.emit(body="privllm.audit", attributes=attrs, event_name="privllm.audit")
        if self._jsonl is not None:
            line = json.dumps({"time": record.started, **attrs}, separators=(",", ":"))
            with self._jsonl_lock:
                self._jsonl.write(line + "\n")

    def close(self) -> None:
        if self._provider is not None:
            self._provider.shutdown()
        if self._jsonl is not None:
            self._jsonl.close()


def _exporter_from_env() -> LogRecordExporter | None:
    if not (os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")):
        return None
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL") or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    if protocol.startswith("http"):
        raise ValueError("OTEL_EXPORTER_OTLP_PROTOCOL http/protobuf is not installed in the gateway image; use grpc")
    from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter

    return OTLPLogExporter()
