"""Serves vLLM's GET /metrics and GET /health on their own port, and nothing else.

vLLM (the pinned release) has no separate metrics port, and its --api-key guards only /v1;
/invocations and the other routes on the API port run inference without it. A NetworkPolicy
cannot filter paths, so the API port admits only the gateway and the scraper (and the helm
test) reach this sidecar, which forwards exactly two read-only paths to the server on localhost.
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALLOWED_PATHS = ("/metrics", "/health")


def make_handler(upstream: str, timeout: float = 10.0) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _refuse(self, status: int, message: str) -> None:
            body = message.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0]
            if path not in ALLOWED_PATHS:
                self._refuse(404, f"only {', '.join(ALLOWED_PATHS)} are served on this port\n")
                return
            try:
                with urllib.request.urlopen(upstream + path, timeout=timeout) as r:
                    status, ctype, body = r.status, r.headers.get("Content-Type", "text/plain"), r.read()
            except urllib.error.HTTPError as exc:
                status, ctype, body = exc.code, "text/plain", b""
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                self._refuse(503, f"model server not reachable: {exc}\n")
                return
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _method_not_allowed(self) -> None:
            self._refuse(405, "read-only: GET /metrics or GET /health\n")

        do_POST = do_PUT = do_DELETE = do_PATCH = _method_not_allowed  # noqa: N815

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - scrapes every 15 s would flood the log
            return

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="metrics_proxy.py")
    parser.add_argument("--listen-port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="the server on localhost, e.g. http://127.0.0.1:8000")
    parser.add_argument("--listen-host", default="0.0.0.0")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.listen_host, args.listen_port), make_handler(args.upstream.rstrip("/")))
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
