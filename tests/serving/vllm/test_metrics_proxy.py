"""The metrics sidecar (charts/vllm-server/files/metrics_proxy.py) in front of the vLLM stand-in:
GET /metrics and /health pass, every other path and method is refused, whatever the API port serves."""

from __future__ import annotations

import importlib.util
import threading
from http.server import ThreadingHTTPServer

import httpx
import pytest

from privllm.paths import CHARTS
from privllm.serving.vllm.standin import create_standin
from tests.servers import ServerThread, free_port


def _module():
    spec = importlib.util.spec_from_file_location("privllm_chart_metrics_proxy", CHARTS / "vllm-server/files/metrics_proxy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def proxied():
    with ServerThread(create_standin("m", api_key="secret")) as upstream:
        port = free_port()
        server = ThreadingHTTPServer(("127.0.0.1", port), _module().make_handler(upstream.url))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{port}", upstream.url
        server.shutdown()
        server.server_close()


def test_metrics_and_health_pass_through(proxied):
    proxy, _ = proxied
    r = httpx.get(f"{proxy}/metrics", timeout=5)
    assert r.status_code == 200 and "vllm:num_requests_running" in r.text
    assert httpx.get(f"{proxy}/health", timeout=5).status_code == 200


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/invocations"), ("POST", "/v1/chat/completions"), ("POST", "/v1/completions"), ("GET", "/v1/models"),
    ("GET", "/docs"), ("GET", "/metrics/../v1/models"), ("POST", "/metrics"), ("GET", "/health/../invocations"),
])
def test_everything_else_is_refused(proxied, method, path):
    proxy, upstream = proxied
    r = httpx.request(method, f"{proxy}{path}", json={"model": "m", "prompt": "x"} if method == "POST" else None, timeout=5)
    assert r.status_code in (404, 405), (path, r.status_code)
    assert "Echo" not in r.text


def test_an_unreachable_server_is_a_503_not_a_crash():
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), _module().make_handler(f"http://127.0.0.1:{free_port()}"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).status_code == 503
    finally:
        server.shutdown()
        server.server_close()
