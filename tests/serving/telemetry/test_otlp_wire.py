"""The hand-encoded OTLP bytes decode, with the official classes, to the same messages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.logs.v1 import logs_pb2
from opentelemetry.proto.resource.v1 import resource_pb2

from serving.gateway.audit import _any_value
from serving.telemetry import otlp_wire

values = st.one_of(
    st.text(max_size=40), st.integers(-(2**63), 2**63 - 1), st.booleans(), st.floats(allow_nan=False),
    st.lists(st.text(max_size=10), max_size=4),
)


@given(attrs=st.dictionaries(st.text(min_size=1, max_size=30), values, max_size=12), time_ns=st.integers(0, 2**63))
def test_round_trip(attrs, time_ns):
    resource = resource_pb2.Resource(attributes=[common_pb2.KeyValue(key="service.name", value=common_pb2.AnyValue(string_value="llm-gateway"))])
    scope = common_pb2.InstrumentationScope(name="privllm.audit", version="1")
    raw = otlp_wire.export_request(resource.SerializeToString(), scope.SerializeToString(), [otlp_wire.log_record(time_ns, attrs, "privllm.audit", "privllm.audit")])
    expected = logs_service_pb2.ExportLogsServiceRequest(resource_logs=[logs_pb2.ResourceLogs(resource=resource, scope_logs=[logs_pb2.ScopeLogs(scope=scope, log_records=[
        logs_pb2.LogRecord(
            time_unix_nano=time_ns, observed_time_unix_nano=time_ns, severity_number=logs_pb2.SEVERITY_NUMBER_INFO, severity_text="INFO",
            body=common_pb2.AnyValue(string_value="privllm.audit"), event_name="privllm.audit",
            attributes=[common_pb2.KeyValue(key=k, value=_any_value(v)) for k, v in attrs.items()],
        )
    ])])])
    assert logs_service_pb2.ExportLogsServiceRequest.FromString(raw) == expected
