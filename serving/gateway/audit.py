"""Audit records: exactly one per request, through the OpenTelemetry Logs SDK.

Content leaves the process only as the data policy allows: never (absent), hash (sha256)
or redacted (sensitive values replaced). Attribute names follow the OpenTelemetry GenAI
semantic conventions where they fit (gen_ai.*), the rest are privllm.* (docs/audit-schema.md).

Loss policy: every record goes through one queue, the spool on disk (serving.gateway.audit_spool).
A child process ships it with the OpenTelemetry SDK's OTLP exporter (grpc or http/protobuf,
serving.telemetry.otlp_config) and removes only what the collector acknowledged, retrying through
outages. A full spool drops new records and counts them (normal mode) or refuses the request
(durable mode: no response leaves before its record is fsynced).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from serving.gateway.audit_spool import SpoolWriter
from serving.gateway.guards.sensitive import redact
from serving.telemetry import otlp_config
from serving.telemetry.otlp_config import OtlpSettings

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
    incident_id: str | None = None  # shared with the log line of an unexpected error
    # Stable across re-deliveries after a crash: the SIEM de-duplicates on it.
    record_id: str = field(default_factory=lambda: uuid.uuid4().hex)

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
            "privllm.incident_id": self.incident_id,
            "privllm.record_id": self.record_id,
        }
        return {k: v for k, v in attrs.items() if v is not None and v != []}


def content(text: str | None, mode: str) -> str | None:
    """Prompt or completion as the data policy allows it to leave the process."""
    if text is None or mode == "never":
        return None
    if mode == "hash":
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return redact(text)[0]



def _export_child(directory: str, settings: OtlpSettings, resource: dict, counters, stop, wake, parent_pid: int, first_own_segment: int, drain_seconds: float) -> None:
    """The export process: ships the spool with the SDK's OTLP exporter, acknowledges what the
    collector accepted. It holds the directory's export lock, so after a restart the new one takes
    over only once the old one (which exits when its gateway is gone) has let go."""
    import fcntl
    import signal

    from opentelemetry._logs import LogRecord, SeverityNumber
    from opentelemetry.sdk._logs import ReadableLogRecord
    from opentelemetry.sdk._logs.export import LogRecordExportResult
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope

    from serving.gateway.audit_spool import SpoolReader

    # The gateway process decides when this one stops (the stop event, or going away).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    lock = os.open(os.path.join(directory, ".export.lock"), os.O_CREAT | os.O_RDWR, 0o600)
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if os.getppid() != parent_pid:
                return
            time.sleep(0.1)
    # Shipping is background work: the spool already holds every record durably, so under CPU
    # pressure the requests go first and this process catches up in the gaps.
    os.nice(EXPORT_NICENESS)
    reader = SpoolReader(Path(directory))
    counters[2] = reader.pending(first_own_segment)
    exporter = otlp_config.exporter(settings)
    res = Resource.create(resource)
    scope = InstrumentationScope("privllm.audit", SCHEMA_VERSION)

    def readable(line: bytes) -> ReadableLogRecord:
        item = json.loads(line)
        ns = int(item["t"] * 1e9)
        record = LogRecord(timestamp=ns, observed_timestamp=ns, severity_text="INFO", severity_number=SeverityNumber.INFO,
                           body="privllm.audit", attributes=item["a"], event_name="privllm.audit")
        return ReadableLogRecord(log_record=record, resource=res, instrumentation_scope=scope)

    backoff, stopping_since = 0.5, None
    while True:
        if os.getppid() != parent_pid:
            return  # the gateway was killed: what is not acknowledged stays in the spool for the next one
        if stop.is_set() and stopping_since is None:
            stopping_since = time.monotonic()  # the writer is closed before stop is set: the spool is final
        lines, position = reader.read(EXPORT_BATCH)
        if lines and len(lines) < EXPORT_BATCH and stopping_since is None and not stop.is_set():
            # A short batch: let a few more records arrive, so one export carries many (each call
            # costs about as much as encoding a hundred records).
            time.sleep(EXPORT_GATHER_SECONDS)
            lines, position = reader.read(EXPORT_BATCH)
        if lines:
            records = []
            for line in lines:
                try:
                    records.append(readable(line))
                except (ValueError, KeyError):
                    counters[3] += 1  # a line no writer of this version produces; skipped, counted
            if not records or exporter.export(records) == LogRecordExportResult.SUCCESS:
                reader.ack(position)
                counters[0] += len(records)
                backoff = 0.5
                continue
            counters[1] += 1  # the collector is down or refused: keep the batch, retry later
            pause = backoff
            if stopping_since is not None:
                left = drain_seconds - (time.monotonic() - stopping_since)
                if left <= 0:
                    break  # the rest waits in the spool for the next start
                pause = min(pause, left)
            time.sleep(pause)
            backoff = min(backoff * 2, 10.0)
            continue
        if stopping_since is not None:
            break
        wake.wait(0.2)
        wake.clear()
    exporter.shutdown()


EXPORT_BATCH = 256
EXPORT_GATHER_SECONDS = 0.2
EXPORT_NICENESS = 10


class SpoolExporter:
    """The spool writer in the gateway and the export process that ships it."""

    def __init__(self, settings: OtlpSettings, spool_dir: Path, durable: bool, max_bytes: int, drain_seconds: float = 15.0):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")  # no fork of a process that may hold gRPC or event-loop state
        self.writer = SpoolWriter(spool_dir, durable, max_bytes)
        self._counters = ctx.Array("q", 4, lock=False)  # exported, failures, pending at start, unreadable
        self._stop, self._wake = ctx.Event(), ctx.Event()
        self.writer.on_commit = self._wake.set
        resource = {"service.name": os.environ.get("OTEL_SERVICE_NAME", "llm-gateway")}
        for item in os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "").split(","):
            key, sep, value = item.partition("=")
            if sep:
                resource[key.strip()] = value.strip()
        self._proc = ctx.Process(
            target=_export_child, name="privllm-audit-export", daemon=True,
            args=(str(spool_dir), settings, resource, self._counters, self._stop, self._wake, os.getpid(), self.writer.first_segment, drain_seconds),
        )
        self._proc.start()
        self._drain_seconds = drain_seconds

    @property
    def exported(self) -> int:
        return self._counters[0]

    @property
    def failures(self) -> int:
        return self._counters[1]

    @property
    def queued(self) -> int:
        return max(0, self._counters[2] + self.writer.written - self.exported - self._counters[3])

    @property
    def dropped(self) -> int:
        return self.writer.dropped

    def flush(self, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while self.queued and time.monotonic() < deadline:
            self._wake.set()
            time.sleep(0.05)
        return not self.queued

    def shutdown(self) -> None:
        self.writer.close()
        self._stop.set()
        self._wake.set()
        self._proc.join(self._drain_seconds + 10)
        if self._proc.is_alive():
            self._proc.terminate()  # what it had not shipped stays in the spool


class AuditLog:
    """Writes each record to the OTLP spool (when OTLP export is configured: OTEL_EXPORTER_OTLP_*
    or `otlp` settings) and optionally to a JSONL file."""

    def __init__(self, prompt_logging: str, jsonl: Path | None = None, otlp: OtlpSettings | None = None, *,
                 spool_dir: Path | None = None, durable: bool = False, max_spool_bytes: int = 1024 * 1024 * 1024, drain_seconds: float = 15.0):
        self.prompt_logging = prompt_logging
        self.durable = durable
        self.processor: SpoolExporter | None = None
        if otlp is not None or otlp_config.configured():
            settings = otlp or otlp_config.settings()
            directory = Path(spool_dir) if spool_dir else Path(tempfile.mkdtemp(prefix="privllm-audit-spool-"))
            self.processor = SpoolExporter(settings, directory, durable, max_spool_bytes, drain_seconds)
        self._jsonl = open(jsonl, "a", buffering=1) if jsonl else None  # noqa: SIM115 - closed in close()
        self._jsonl_lock = threading.Lock()

    @classmethod
    def from_config(cls, config, jsonl: Path | None = None) -> AuditLog:
        audit = config.audit
        return cls(config.prompt_logging, jsonl, spool_dir=Path(audit.spool_dir) if audit.spool_dir else None,
                   durable=config.durable_audit, max_spool_bytes=audit.max_spool_bytes, drain_seconds=audit.drain_seconds)

    @property
    def dropped(self) -> int:
        return self.processor.dropped if self.processor else 0

    @property
    def queued(self) -> int:
        return self.processor.queued if self.processor else 0

    def emit(self, record: AuditRecord) -> asyncio.Future | None:
        """Hand the record over. In durable mode, a future that completes once it is fsynced
        (or fails with the OSError that stopped it); the caller holds the response until then."""
        attrs = record.attributes()
        waiter = future = None
        if self.processor is not None and self.durable:
            loop = asyncio.get_running_loop()
            future = loop.create_future()

            def waiter(error: OSError | None) -> None:
                loop.call_soon_threadsafe(_settle, future, error)

        if self.processor is not None:
            spooled = json.dumps({"t": record.started, "a": attrs}, separators=(",", ":")).encode()
            self.processor.writer.append(spooled, waiter)
        if self._jsonl is not None:
            line = json.dumps({"time": record.started, **attrs}, separators=(",", ":"))
            with self._jsonl_lock:
                self._jsonl.write(line + "\n")
        return future

    def close(self) -> None:
        if self.processor is not None:
            self.processor.shutdown()
        if self._jsonl is not None:
            self._jsonl.close()


def _settle(future: asyncio.Future, error: OSError | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
