"""A minimal OTLP log receiver (gRPC and HTTP/protobuf), built from opentelemetry-proto.

It stands where the OpenTelemetry Collector would (the collector binary cannot be installed
on every machine): `privllm telemetry check --send` and the test suite use it to see exactly
what leaves the gateway. It only collects records; it forwards nothing.
"""

from __future__ import annotations

import threading
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc


def _flatten(value: dict):
    """An OTLP AnyValue as plain Python."""
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        return int(value["intValue"])
    if "doubleValue" in value:
        return value["doubleValue"]
    if "boolValue" in value:
        return value["boolValue"]
    if "arrayValue" in value:
        return [_flatten(v) for v in value["arrayValue"].get("values", [])]
    return None


def records_of(request: logs_service_pb2.ExportLogsServiceRequest) -> list[dict]:
    out = []
    for resource_logs in MessageToDict(request).get("resourceLogs", []):
        resource = {a["key"]: _flatten(a["value"]) for a in resource_logs.get("resource", {}).get("attributes", [])}
        for scope in resource_logs.get("scopeLogs", []):
            for rec in scope.get("logRecords", []):
                attrs = {a["key"]: _flatten(a["value"]) for a in rec.get("attributes", [])}
                out.append({"body": _flatten(rec.get("body", {})), "attributes": attrs, "resource": resource, "event_name": rec.get("eventName")})
    return out


class OtlpReceiver:
    """Collects log records sent over OTLP/gRPC (port) and OTLP/HTTP (http_port)."""

    def __init__(self, port: int, http_port: int | None = None):
        self.port, self.http_port = port, http_port
        self.records: list[dict] = []
        self._lock = threading.Lock()
        self._grpc: grpc.Server | None = None
        self._http: ThreadingHTTPServer | None = None

    def _add(self, request) -> None:
        with self._lock:
            self.records.extend(records_of(request))

    def start(self) -> OtlpReceiver:
        receiver = self

        class Servicer(logs_service_pb2_grpc.LogsServiceServicer):
            def Export(self, request, context):  # noqa: N802 - gRPC method name
                receiver._add(request)
                return logs_service_pb2.ExportLogsServiceResponse()

        self._grpc = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        logs_service_pb2_grpc.add_LogsServiceServicer_to_server(Servicer(), self._grpc)
        self._grpc.add_insecure_port(f"127.0.0.1:{self.port}")
        self._grpc.start()
        if self.http_port:

            class Handler(BaseHTTPRequestHandler):
                def do_POST(self):  # noqa: N802 - http.server API
                    if self.path != "/v1/logs":
                        self.send_error(404)
                        return
                    request = logs_service_pb2.ExportLogsServiceRequest()
                    request.ParseFromString(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                    receiver._add(request)
                    body = logs_service_pb2.ExportLogsServiceResponse().SerializeToString()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/x-protobuf")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

                def log_message(self, *args):
                    pass

            self._http = ThreadingHTTPServer(("127.0.0.1", self.http_port), Handler)
            threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._grpc:
            self._grpc.stop(grace=None).wait(5)
        if self._http:
            self._http.shutdown()
            self._http.server_close()
