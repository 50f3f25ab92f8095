"""The red-team run as one audit event for the SIEM: counts and verdicts only, never payloads.

Sent with the OpenTelemetry SDK's own OTLP log exporter, configured by the standard OTEL_*
variables (OTEL_EXPORTER_OTLP_ENDPOINT / _LOGS_ENDPOINT, _PROTOCOL, _HEADERS, _CERTIFICATE,
_TIMEOUT), so the event travels the same path as the gateway's audit records.
"""

from __future__ import annotations

import json
import os
import time

PROTOCOLS = ("grpc", "http/protobuf")


class AuditConfigError(ValueError):
    """The OTEL_* configuration is unusable; the message names the variable."""


def configured() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def _exporter():
    variable = "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL" if os.environ.get("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL") else "OTEL_EXPORTER_OTLP_PROTOCOL"
    protocol = os.environ.get(variable, "grpc").strip()
    if protocol not in PROTOCOLS:
        raise AuditConfigError(f"{variable}={protocol!r} is not supported; valid: {', '.join(PROTOCOLS)}")
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter
    else:
        try:
            from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
        except ImportError:
            raise AuditConfigError(f"{variable}=http/protobuf needs the opentelemetry-exporter-otlp-proto-http package") from None
    return OTLPLogExporter()


def event_attributes(summary: dict) -> dict:
    """Flat OTLP attributes: the verdict per family and the counts; no prompt, key or leaked value."""
    attrs: dict = {
        "privllm.event": "redteam.run",
        "privllm.redteam.target": summary["target"],
        "privllm.redteam.suite_version": summary["suite_version"],
        "privllm.redteam.requests": summary["requests"],
        "privllm.redteam.passed": summary["passed"],
        "privllm.redteam.families": json.dumps({f["family"]: {k: f[k] for k in ("passed", "attacks", "defended", "breached", "benign", "refused", "errors")} for f in summary["families"]}, sort_keys=True),
    }
    if summary.get("incomplete"):
        attrs["privllm.redteam.incomplete"] = summary["incomplete"]
    return attrs


def record(summary: dict, exporter=None) -> None:
    """Export the event and wait for the exporter's answer; raises OSError when it is not accepted."""
    from opentelemetry._logs import LogRecord, SeverityNumber
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import LogExporter, LogRecordExportResult, SimpleLogRecordProcessor
    from opentelemetry.sdk.resources import Resource

    inner = exporter or _exporter()
    outcome: list[bool] = []

    class Recording(LogExporter):
        """Passes the batch on and keeps the exporter's answer, so a refused event is an error."""

        def export(self, batch):
            result = inner.export(batch)
            outcome.append(result == LogRecordExportResult.SUCCESS)
            return result

        def shutdown(self) -> None:
            inner.shutdown()

        def force_flush(self, timeout_millis: int = 30_000) -> bool:
            return True  # each event is exported synchronously in export()

    provider = LoggerProvider(resource=Resource.create({"service.name": "privllm-redteam"}))
    provider.add_log_record_processor(SimpleLogRecordProcessor(Recording()))
    severity = SeverityNumber.INFO if summary["passed"] else SeverityNumber.WARN
    provider.get_logger("privllm.redteam").emit(
        LogRecord(timestamp=time.time_ns(), body="privllm.redteam.run", severity_number=severity, severity_text=severity.name,
                  attributes=event_attributes(summary), event_name="privllm.redteam.run")
    )
    provider.shutdown()
    if not outcome or not outcome[0]:
        raise OSError("the OTLP endpoint did not accept the red-team audit event")
