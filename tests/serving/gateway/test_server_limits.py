"""The gateway's HTTP server under hostile clients: oversized heads, too many headers, slow and
idle connections, too many connections. Each refusal is an OpenAI-shaped JSON body."""

from __future__ import annotations

import json
import socket

import pytest

from privllm.serving.gateway.app import GatewayState
from privllm.serving.gateway.audit import AuditLog
from privllm.serving.gateway.config import GatewayConfig
from privllm.serving.gateway.guards.review import SqliteReviewStore
from privllm.serving.gateway.keys import MemoryKeyStore
from privllm.serving.gateway.server import server_config
from tests.servers import ServerThread, free_port
from tests.serving.gateway.conftest import MODEL

LIMITS = {"max_header_bytes": 8192, "max_headers": 20, "request_read_timeout_seconds": 0.5, "keep_alive_timeout_seconds": 0.5, "max_connections": 4}


@pytest.fixture
def server(standin, tmp_path):
    config = GatewayConfig.model_validate({"upstreams": [{"name": MODEL, "url": standin.url}], "server": LIMITS})
    state = GatewayState(config=config, key_store=MemoryKeyStore(), audit=AuditLog("never", tmp_path / "audit.jsonl"), reviews=SqliteReviewStore(tmp_path / "r.sqlite"))
    with ServerThread(config=server_config(state, "127.0.0.1", free_port(), log_level="error")) as running:
        yield running


def connect(server) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", server.port))
    s.settimeout(15)  # a bound on the test, not an assertion: the server closes long before
    return s


def read_until_closed(s: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := s.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def parse(raw: bytes) -> tuple[int, dict, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, json.loads(body)


def test_an_oversized_head_is_431_json_and_closed(server):
    s = connect(server)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: " + b"a" * 64 * 1024 + b"\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may close before it read everything; the answer is already in our buffer
    status, headers, body = parse(read_until_closed(s))
    assert status == 431 and headers["content-type"] == "application/json"
    assert body["error"]["code"] == "headers_too_large"


def test_too_many_header_fields_is_431_json_and_audited(server, tmp_path):
    s = connect(server)
    s.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\n" + b"".join(b"x-h%d: 1\r\n" % i for i in range(30)) + b"connection: close\r\n\r\n")
    status, _, body = parse(read_until_closed(s))
    assert status == 431 and body["error"]["code"] == "too_many_headers"
    record = json.loads((tmp_path / "audit.jsonl").read_text().splitlines()[-1])
    assert record["http.response.status_code"] == 431 and record["privllm.reason"] == "too_many_headers"


def test_a_normal_request_within_the_limits_is_served(server):
    s = connect(server)
    s.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
    status, _, body = parse(read_until_closed(s))
    assert status == 200 and body == {"status": "ok"}


def test_slowloris_gets_408_and_is_closed(server):
    s = connect(server)
    s.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")  # the head never completes
    status, _, body = parse(read_until_closed(s))
    assert status == 408 and body["error"]["code"] == "request_timeout"


def test_a_stalled_body_is_closed(server):
    s = connect(server)
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"model\":")
    read_until_closed(s)  # returns only because the server closed the connection


def test_an_idle_connection_is_closed(server):
    s = connect(server)
    assert read_until_closed(s) == b""


def test_an_idle_keep_alive_connection_is_closed_after_its_answer(server):
    s = connect(server)
    s.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
    status, _, _ = parse(read_until_closed(s))
    assert status == 200


def test_connections_beyond_the_cap_get_503_with_retry_after(server):
    held = [connect(server) for _ in range(LIMITS["max_connections"])]
    extra = connect(server)
    extra.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
    status, headers, body = parse(read_until_closed(extra))
    assert status == 503 and headers["retry-after"] == "1" and body["error"]["code"] == "server_busy"
    for s in held:
        s.close()


def test_a_head_that_keeps_growing_is_cut_off_at_the_bound_with_431(server):
    """The head arrives in many reads and is still incomplete when it passes max_header_bytes."""
    s = connect(server)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ")
        for _ in range(64):
            s.sendall(b"a" * 1024)
    except (BrokenPipeError, ConnectionResetError):
        pass
    status, _, body = parse(read_until_closed(s))
    assert status == 431 and body["error"]["code"] == "headers_too_large"


def test_refusals_no_route_sees_are_counted(server):
    test_slowloris_gets_408_and_is_closed(server)
    test_a_head_that_keeps_growing_is_cut_off_at_the_bound_with_431(server)
    s = connect(server)
    s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
    assert parse(read_until_closed(s))[0] == 400
    s = connect(server)
    s.sendall(b"GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
    metrics = read_until_closed(s).decode()
    for reason in ("request_timeout", "headers_too_large", "invalid_http"):
        assert f'privllm_gateway_connections_refused_total{{reason="{reason}"}} 1.0' in metrics, reason


def test_a_body_in_the_same_read_as_its_head_is_not_counted_as_head(server):
    """Head and a body larger than max_header_bytes in one write: the request reaches the app
    (401 without a key), not the 431 of the head bound."""
    body = b'{"model": "x", "messages": [], "pad": "' + b"a" * 3 * LIMITS["max_header_bytes"] + b'"}'
    s = connect(server)
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: %d\r\n\r\n" % len(body) + body)
    status, _, body = parse(read_until_closed(s))
    assert status == 401, body


def test_pipelined_requests_in_one_write_are_each_answered(server):
    s = connect(server)
    s.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\nGET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
    raw = read_until_closed(s)
    assert raw.count(b"HTTP/1.1 200 ") == 2 and raw.count(b'{"status": "ok"}') + raw.count(b'{"status":"ok"}') == 2, raw


def test_a_pipelined_head_over_the_bound_in_the_same_read_is_refused_431(server):
    """The second request's head arrives in the same read as the first: the first is answered,
    the oversized second refused 431 with the JSON reason."""
    big = b"x-big: " + b"a" * (LIMITS["max_header_bytes"] + 100) + b"\r\n"
    s = connect(server)
    s.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\nGET /healthz HTTP/1.1\r\nhost: x\r\n" + big + b"connection: close\r\n\r\n")
    raw = read_until_closed(s)
    first, _, second = raw.partition(b"HTTP/1.1 431 ")
    assert b"HTTP/1.1 200 " in first, raw
    assert second and b'"headers_too_large"' in second, raw


def test_many_small_pipelined_requests_in_one_write_larger_than_the_head_bound_are_served(server):
    """Each head is small; together they pass max_header_bytes in one read: no 431."""
    one = b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-pad: " + b"p" * 400 + b"\r\n\r\n"
    count = 2 * LIMITS["max_header_bytes"] // len(one) + 1
    s = connect(server)
    s.sendall(one * (count - 1) + one.replace(b"\r\n\r\n", b"\r\nconnection: close\r\n\r\n"))
    raw = read_until_closed(s)
    assert raw.count(b"HTTP/1.1 200 ") == count and b"431" not in raw, raw[:300]
