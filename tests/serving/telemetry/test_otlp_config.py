"""OTEL_EXPORTER_OTLP_* variables: each honoured, each mistake one message naming the variable
and the valid values."""

from __future__ import annotations

import subprocess
import sys

import pytest

from privllm.serving.telemetry.otlp_config import OtlpConfigError, configured, exporter, settings

CA = """-----BEGIN CERTIFICATE-----
MIIBdzCCAR2gAwIBAgIUQ0ZBQ0ZBQ0ZBQ0ZBQ0ZBQ0ZBQ0ZBQ0ZBMAoGCCqGSM49
-----END CERTIFICATE-----
"""


def test_the_default_protocol_is_http_protobuf_with_the_logs_path():
    s = settings({"OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector.example:4318"})
    assert s.protocol == "http/protobuf" and s.endpoint == "https://collector.example:4318/v1/logs"
    assert s.timeout_seconds == 10.0 and not s.insecure


def test_the_logs_variables_win_over_the_general_ones(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text(CA)
    s = settings({
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": "grpc",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "https://a:4318", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "collector:4317",
        "OTEL_EXPORTER_OTLP_HEADERS": "x-tenant=a", "OTEL_EXPORTER_OTLP_LOGS_HEADERS": "x-tenant=b,authorization=Bearer%20t",
        "OTEL_EXPORTER_OTLP_TIMEOUT": "5000", "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT": "2500",
        "OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE": str(ca), "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
    })
    assert s.protocol == "grpc" and s.endpoint == "https://collector:4317"
    assert s.headers == {"x-tenant": "b", "authorization": "Bearer t"}
    assert s.timeout_seconds == 2.5  # milliseconds, as the specification says
    assert s.certificate == str(ca) and s.compression == "gzip"


def test_a_logs_endpoint_is_used_as_given():
    s = settings({"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://c:4318/custom/logs"})
    assert s.endpoint == "http://c:4318/custom/logs"


@pytest.mark.parametrize(("env", "variable", "valid"), [
    ({"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc, http/protobuf"),
    ({"OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": "udp"}, "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "grpc, http/protobuf"),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT", "http(s)://"),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:port"}, "OTEL_EXPORTER_OTLP_ENDPOINT", "1 to 65535"),
    ({"OTEL_EXPORTER_OTLP_TIMEOUT": "soon"}, "OTEL_EXPORTER_OTLP_TIMEOUT", "milliseconds"),
    ({"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT": "0"}, "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "milliseconds"),
    ({"OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"}, "OTEL_EXPORTER_OTLP_COMPRESSION", "gzip, none"),
    ({"OTEL_EXPORTER_OTLP_HEADERS": "novalue"}, "OTEL_EXPORTER_OTLP_HEADERS", "key=value"),
    ({"OTEL_EXPORTER_OTLP_CERTIFICATE": "/nonexistent/ca.pem"}, "OTEL_EXPORTER_OTLP_CERTIFICATE", "PEM"),
    ({"OTEL_EXPORTER_OTLP_INSECURE": "yes"}, "OTEL_EXPORTER_OTLP_INSECURE", "true, false"),
    ({"OTEL_EXPORTER_OTLP_CLIENT_KEY": "/k.pem"}, "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "both"),
])
def test_each_mistake_names_the_variable_and_the_valid_values(env, variable, valid):
    with pytest.raises(OtlpConfigError) as caught:
        settings({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", **env})
    assert variable in str(caught.value) and valid in str(caught.value)


def test_a_certificate_that_is_not_pem_is_refused(tmp_path):
    bad = tmp_path / "ca.der"
    bad.write_bytes(b"\x30\x82\x01")
    with pytest.raises(OtlpConfigError, match="OTEL_EXPORTER_OTLP_CERTIFICATE: .* is not PEM"):
        settings({"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c:4318", "OTEL_EXPORTER_OTLP_CERTIFICATE": str(bad)})


def test_export_is_configured_by_an_endpoint_or_a_protocol():
    assert not configured({})
    assert configured({"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://c:4318/v1/logs"})
    assert configured({"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"})


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_the_sdk_exporter_of_each_protocol_is_built(protocol):
    made = exporter(settings({"OTEL_EXPORTER_OTLP_PROTOCOL": protocol, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}))
    assert type(made).__module__.startswith(f"opentelemetry.exporter.otlp.proto.{protocol.split('/')[0]}")
    made.shutdown()


def test_the_gateway_refuses_to_start_with_a_bad_variable_and_says_which(tmp_path):
    config = tmp_path / "gateway.yaml"
    config.write_text("upstreams: [{name: m, url: 'http://127.0.0.1:9'}]\n")
    env = {"PATH": "", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}
    r = subprocess.run([sys.executable, "-m", "privllm.cli", "gateway", "--config", str(config)], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 2, r.stderr
    assert "OTEL_EXPORTER_OTLP_PROTOCOL" in r.stderr and "grpc, http/protobuf" in r.stderr
    assert "Traceback" not in r.stderr and "cannot list the models" not in r.stderr
