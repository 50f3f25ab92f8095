"""The gateway process (started as in production, from a config file) under hostile clients on
loopback: memory stays bounded, slow and idle connections are closed. A resource bound, measured
on the process itself (VmRSS), never a timing."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
import yaml

from tests.servers import free_port, wait_for_port
from tests.serving.gateway.conftest import MODEL

pytestmark = pytest.mark.integration

HEADER_BYTES = 8 * 1024 * 1024
RSS_BUDGET = 50 * 1024 * 1024


@pytest.fixture
def gateway_process(standin, tmp_path):
    port = free_port()
    config = tmp_path / "gateway.yaml"
    config.write_text(yaml.safe_dump({
        "upstreams": [{"name": MODEL, "url": standin.url}],
        "server": {"keep_alive_timeout_seconds": 1, "request_read_timeout_seconds": 2},
    }))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    proc = subprocess.Popen([sys.executable, "-m", "privllm.cli", "gateway", "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, timeout=30)
        yield proc, port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def rss(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def hostile_headers(port: int, answers: list) -> None:
    """Four 8 MB headers on one connection, sent as fast as the gateway takes them."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(30)
    piece = b"a" * (1024 * 1024)
    try:
        s.sendall(b"GET /v1/models HTTP/1.1\r\nhost: gateway\r\n")
        for n in range(4):
            s.sendall(b"x-h%d: " % n)
            for _ in range(HEADER_BYTES // len(piece)):
                s.sendall(piece)
            s.sendall(b"\r\n")
        s.sendall(b"\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused part-way: the answer is waiting in our receive buffer
    data = b""
    try:
        while chunk := s.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    answers.append(data.split(b"\r\n", 1)[0])
    s.close()


def test_thirty_clients_with_four_8mb_headers_each_do_not_raise_rss_by_50mb(gateway_process):
    proc, port = gateway_process
    for _ in range(20):  # warm up the normal paths first, so the baseline includes them
        httpx.get(f"http://127.0.0.1:{port}/healthz")
    before = rss(proc.pid)
    answers: list = []
    peak = before
    threads = [threading.Thread(target=hostile_headers, args=(port, answers)) for _ in range(30)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        peak = max(peak, rss(proc.pid))
        time.sleep(0.02)
    for t in threads:
        t.join()
    after = rss(proc.pid)
    print(f"gateway RSS before {before >> 20} MiB, peak {peak >> 20} MiB, after {after >> 20} MiB")
    assert peak - before < RSS_BUDGET, f"RSS grew by {(peak - before) >> 20} MiB under hostile headers"
    assert all(a.startswith(b"HTTP/1.1 431") for a in answers if a), answers
    assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200


def test_slowloris_and_idle_connections_are_closed(gateway_process):
    proc, port = gateway_process
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(80)]
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(500)]
    for s in slow:
        s.sendall(b"GET /healthz HTTP/1.1\r\nhost: gateway\r\n")
    open_ = set(slow + idle)
    for _ in range(300):  # a bound on the loop: the server closes them within its timeouts
        if not open_:
            break
        readable, _, _ = select.select(list(open_), [], [], 0.2)
        for s in readable:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data or b"408" in data.split(b"\r\n", 1)[0]:
                open_.discard(s)
        for s in open_ & set(slow):
            try:
                s.sendall(b"x-drip: 1\r\n")  # a slowloris keeps its head growing, slowly
            except (BrokenPipeError, ConnectionResetError):
                open_.discard(s)
    assert not open_, f"{len(open_)} of 580 hostile connections still open"
    for s in slow + idle:
        s.close()
    assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
