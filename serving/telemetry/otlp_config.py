"""The OTLP log exporter the audit trail ships through, from the standard OTEL_* variables.

Protocol grpc or http/protobuf (OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL;
the specification's default is http/protobuf). Endpoint, headers, TLS certificates, timeout and
compression are read from the per-signal variable first, then the general one. Every value is
checked here, before the exporter starts, so a mistake is one message naming the variable and
what would be valid, not a failure deep inside an export thread.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from privllm.facts import OTLP_GRPC_PORT, OTLP_HTTP_PORT

PROTOCOLS = ("grpc", "http/protobuf")
COMPRESSIONS = ("gzip", "none")
DEFAULT_PROTOCOL = "http/protobuf"
DEFAULT_TIMEOUT_MS = 10_000
# Defaults of the specification when only the protocol is set.
DEFAULT_ENDPOINTS = {"grpc": f"http://localhost:{OTLP_GRPC_PORT}", "http/protobuf": f"http://localhost:{OTLP_HTTP_PORT}"}


class OtlpConfigError(ValueError):
    """An OTEL_* variable holds a value the exporter cannot use."""


@dataclass(frozen=True)
class OtlpSettings:
    protocol: str
    endpoint: str  # grpc: scheme://host:port; http/protobuf: the full URL of the logs path
    headers: dict[str, str] = field(default_factory=dict)
    timeout_seconds: float = DEFAULT_TIMEOUT_MS / 1000
    compression: str = "none"
    certificate: str | None = None
    client_key: str | None = None
    client_certificate: str | None = None
    insecure: bool = False  # grpc only: plaintext to the collector


def _get(env: Mapping[str, str], name: str) -> tuple[str, str | None]:
    """(variable actually used, value): the logs-specific variable wins over the general one."""
    specific = f"OTEL_EXPORTER_OTLP_LOGS_{name}"
    if env.get(specific, "").strip():
        return specific, env[specific].strip()
    general = f"OTEL_EXPORTER_OTLP_{name}"
    return general, (env.get(general, "").strip() or None)


def configured(env: Mapping[str, str] | None = None) -> bool:
    """Whether the environment asks for OTLP export at all (an endpoint or a protocol is set)."""
    env = os.environ if env is None else env
    return any(_get(env, name)[1] for name in ("ENDPOINT", "PROTOCOL"))


def _headers(variable: str, raw: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise OtlpConfigError(f"{variable}: {item.strip()!r} is not key=value; valid: comma-separated key=value pairs, values URL-encoded")
        out[urllib.parse.unquote(key.strip()).lower()] = urllib.parse.unquote(value.strip())
    return out


def _file(variable: str, value: str | None) -> str | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_file():
        raise OtlpConfigError(f"{variable}: {value} is not a readable file; valid: the path of a PEM file")
    try:
        head = path.read_bytes()[:4096]
    except OSError as exc:
        raise OtlpConfigError(f"{variable}: cannot read {value} ({exc.strerror}); valid: the path of a readable PEM file") from None
    if b"-----BEGIN" not in head:
        raise OtlpConfigError(f"{variable}: {value} is not PEM (no -----BEGIN line); valid: a PEM certificate or key file")
    return value


def settings(env: Mapping[str, str] | None = None) -> OtlpSettings:
    env = os.environ if env is None else env
    var, protocol = _get(env, "PROTOCOL")
    protocol = protocol or DEFAULT_PROTOCOL
    if protocol not in PROTOCOLS:
        raise OtlpConfigError(f"{var}: {protocol!r} is not supported; valid: {', '.join(PROTOCOLS)}")

    var, endpoint = _get(env, "ENDPOINT")
    endpoint = endpoint or DEFAULT_ENDPOINTS[protocol]
    parsed = urllib.parse.urlsplit(endpoint if "://" in endpoint else f"//{endpoint}")
    if protocol == "http/protobuf" and parsed.scheme not in ("http", "https"):
        raise OtlpConfigError(f"{var}: {endpoint!r} is not an http(s) URL; valid for http/protobuf: http(s)://host:port[/path]")
    if parsed.scheme not in ("", "http", "https") or not parsed.hostname:
        raise OtlpConfigError(f"{var}: {endpoint!r} names no host; valid: http(s)://host:port (or host:port for grpc)")
    try:
        parsed.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise OtlpConfigError(f"{var}: {endpoint!r} has an invalid port; valid: a number from 1 to 65535") from None
    if protocol == "http/protobuf" and var == "OTEL_EXPORTER_OTLP_ENDPOINT" and not parsed.path.rstrip("/").endswith("/v1/logs"):
        endpoint = endpoint.rstrip("/") + "/v1/logs"  # the general endpoint is a base URL (specification)

    insecure_var, insecure_raw = _get(env, "INSECURE")
    if insecure_raw is not None and insecure_raw.lower() not in ("true", "false"):
        raise OtlpConfigError(f"{insecure_var}: {insecure_raw!r} is not a boolean; valid: true, false")
    insecure = (insecure_raw or "").lower() == "true" or parsed.scheme == "http"
    if protocol == "grpc" and not parsed.scheme:
        endpoint = f"{'http' if insecure else 'https'}://{endpoint}"

    var, timeout_raw = _get(env, "TIMEOUT")
    timeout_ms: float = DEFAULT_TIMEOUT_MS
    if timeout_raw is not None:
        try:
            timeout_ms = float(timeout_raw)
        except ValueError:
            timeout_ms = -1
        if not 0 < timeout_ms <= 600_000:
            raise OtlpConfigError(f"{var}: {timeout_raw!r} is not a timeout; valid: milliseconds, from 1 to 600000")

    var, compression = _get(env, "COMPRESSION")
    compression = (compression or "none").lower()
    if compression not in COMPRESSIONS:
        raise OtlpConfigError(f"{var}: {compression!r} is not supported; valid: {', '.join(COMPRESSIONS)}")

    headers_var, headers_raw = _get(env, "HEADERS")
    cert_var, cert = _get(env, "CERTIFICATE")
    key_var, key = _get(env, "CLIENT_KEY")
    client_cert_var, client_cert = _get(env, "CLIENT_CERTIFICATE")
    if (key is None) != (client_cert is None):
        raise OtlpConfigError(f"{key_var} and {client_cert_var}: set both (mutual TLS) or neither")
    return OtlpSettings(
        protocol=protocol, endpoint=endpoint, headers=_headers(headers_var, headers_raw), timeout_seconds=timeout_ms / 1000,
        compression=compression, certificate=_file(cert_var, cert), client_key=_file(key_var, key),
        client_certificate=_file(client_cert_var, client_cert), insecure=insecure and protocol == "grpc",
    )


def exporter(s: OtlpSettings):
    """The OpenTelemetry SDK's OTLP log exporter for these settings, every option passed explicitly."""
    if s.protocol == "grpc":
        import grpc
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as GrpcExporter
        from opentelemetry.exporter.otlp.proto.grpc.exporter import Compression as GrpcCompression

        credentials = None
        if not s.insecure:
            read = lambda p: Path(p).read_bytes() if p else None  # noqa: E731
            credentials = grpc.ssl_channel_credentials(read(s.certificate), read(s.client_key), read(s.client_certificate))
        return GrpcExporter(
            endpoint=s.endpoint, insecure=s.insecure, credentials=credentials, headers=s.headers or None, timeout=s.timeout_seconds,
            compression=GrpcCompression.Gzip if s.compression == "gzip" else GrpcCompression.NoCompression,
        )
    from opentelemetry.exporter.otlp.proto.http import Compression as HttpCompression
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter as HttpExporter

    return HttpExporter(
        endpoint=s.endpoint, certificate_file=s.certificate, client_key_file=s.client_key, client_certificate_file=s.client_certificate,
        headers=s.headers, timeout=s.timeout_seconds,
        compression=HttpCompression.Gzip if s.compression == "gzip" else HttpCompression.NoCompression,
    )
