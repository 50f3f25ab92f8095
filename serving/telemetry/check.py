"""`privllm telemetry check`: the generated collector configuration is complete and safe,
and a test audit record can be delivered to a given OTLP endpoint."""

from __future__ import annotations

import time
import urllib.request

from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.logs.v1 import logs_pb2

from privllm.serving.telemetry.collector import gateway_config
from privllm.stack import StackConfig


def problems(config: dict) -> list[str]:
    """What is wrong with a collector configuration (empty when it is complete and safe)."""
    found = []
    service = config.get("service", {})
    for ext in service.get("extensions", []):
        if ext not in config.get("extensions", {}):
            found.append(f"service.extensions: {ext} is not defined under extensions")
    for name, pipeline in service.get("pipelines", {}).items():
        for section in ("receivers", "processors", "exporters"):
            for component in pipeline.get(section, []):
                if component not in config.get(section, {}):
                    found.append(f"pipeline {name}: {section[:-1]} {component} is not defined")
        if not pipeline.get("exporters"):
            found.append(f"pipeline {name} exports nowhere")
        if "memory_limiter" not in pipeline.get("processors", [])[:1]:
            found.append(f"pipeline {name}: memory_limiter must be the first processor")
    for name, exporter in config.get("exporters", {}).items():
        tls = exporter.get("tls")
        if not tls or tls.get("insecure"):
            found.append(f"exporter {name}: TLS is off")
        endpoint = str(exporter.get("endpoint", ""))
        if endpoint.startswith("http://"):
            found.append(f"exporter {name}: plain http endpoint {endpoint}")
        queue = exporter.get("sending_queue") or {}
        if not queue.get("enabled") or not queue.get("storage"):
            found.append(f"exporter {name}: the sending queue is not persistent (sending_queue.storage)")
        elif queue["storage"] not in config.get("extensions", {}):
            found.append(f"exporter {name}: queue storage {queue['storage']} is not defined")
    for name, receiver in config.get("receivers", {}).items():
        for proto, settings in (receiver.get("protocols") or {}).items():
            if not (settings or {}).get("tls"):
                found.append(f"receiver {name}/{proto}: TLS is off")
    return found


def check_stack(cfg: StackConfig) -> list[str]:
    return problems(gateway_config(cfg))


def sample_record() -> logs_service_pb2.ExportLogsServiceRequest:
    attrs = [
        common_pb2.KeyValue(key="privllm.audit.schema", value=common_pb2.AnyValue(string_value="1")),
        common_pb2.KeyValue(key="privllm.decision", value=common_pb2.AnyValue(string_value="test")),
        common_pb2.KeyValue(key="privllm.principal", value=common_pb2.AnyValue(string_value="privllm-telemetry-check")),
    ]
    record = logs_pb2.LogRecord(time_unix_nano=time.time_ns(), body=common_pb2.AnyValue(string_value="privllm.audit"), attributes=attrs, event_name="privllm.audit")
    return logs_service_pb2.ExportLogsServiceRequest(resource_logs=[logs_pb2.ResourceLogs(scope_logs=[logs_pb2.ScopeLogs(log_records=[record])])])


def send_test_record(endpoint: str, timeout: float = 10) -> None:
    """Deliver one test audit record: http(s)://host:port posts OTLP/HTTP, host:port uses OTLP/gRPC."""
    request = sample_record()
    if endpoint.startswith(("http://", "https://")):
        url = endpoint.rstrip("/") + ("" if endpoint.rstrip("/").endswith("/v1/logs") else "/v1/logs")
        http_request = urllib.request.Request(url, data=request.SerializeToString(), headers={"Content-Type": "application/x-protobuf"}, method="POST")
        with urllib.request.urlopen(http_request, timeout=timeout) as response:  # noqa: S310 - the operator's own collector
            if response.status >= 300:
                raise OSError(f"{url} answered {response.status}")
        return
    import grpc
    from opentelemetry.proto.collector.logs.v1 import logs_service_pb2_grpc

    with grpc.insecure_channel(endpoint) if endpoint.startswith(("127.", "localhost")) else grpc.secure_channel(endpoint, grpc.ssl_channel_credentials()) as channel:
        logs_service_pb2_grpc.LogsServiceStub(channel).Export(request, timeout=timeout)
