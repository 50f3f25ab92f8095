"""The gateway vs LiteLLM proxy, side by side in front of the same vLLM stand-in, with wrk.

Targets, each its own process on loopback:
- direct:  the vLLM stand-in itself (the floor);
- privllm: `privllm gateway --dev` with the default guardrails and audit records exported over
           OTLP to a receiver (audit on), and again with no exporter (audit off);
- litellm: LiteLLM proxy 1.106.2, one worker, master-key auth, routing to the same stand-in.

Goals: added p50 latency at 1 connection at most 1/8 of LiteLLM's; requests/s at 64 connections
at least 10x LiteLLM's with no errors; audit on within 5% of audit off.
Run: python bench/gateway_vs_litellm.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import ROOT, peer
from privllm.serving.telemetry.receiver import OtlpReceiver
from tests.servers import free_port

MODEL = "standin-model"
SENTENCE = "Summarise the quarterly report in three bullet points, please. "


def body(prompt_bytes: int) -> str:
    text = (SENTENCE * (prompt_bytes // len(SENTENCE) + 1))[: max(prompt_bytes, len(SENTENCE))].strip()
    return '{"model": "standin-model", "max_tokens": 16, "messages": [{"role": "user", "content": "' + text + '"}]}'


BODY = body(0)


def wait_ready(url: str, headers: dict | None = None, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=2):
                return
        except Exception:  # noqa: BLE001 - not up yet, whatever the reason
            time.sleep(0.5)
    raise SystemExit(f"{url} did not come up")


def start(cmd: list[str], env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(cmd, env={**os.environ, **(env or {})}, start_new_session=True, **kwargs)


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def wrk(url: str, key: str | None, connections: int, seconds: int) -> dict:
    script = Path(tempfile.mkdtemp()) / "post.lua"
    auth = f'wrk.headers["Authorization"] = "Bearer {key}"\n' if key else ""
    script.write_text(f'wrk.method = "POST"\nwrk.body = \'{BODY}\'\nwrk.headers["Content-Type"] = "application/json"\n{auth}')
    threads = 1 if connections == 1 else 2
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", str(script), f"{url}/v1/chat/completions"],
                         capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "p50": ms("50"),
        "p99": ms("99"),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


def measure(name: str, url: str, key: str | None, seconds: int) -> dict:
    wrk(url, key, 1, 2)  # warm-up
    one = wrk(url, key, 1, seconds)
    many = wrk(url, key, 64, seconds)
    print(f"  {name:<18} p50 {one['p50']:7.2f} ms  p99 {one['p99']:7.2f} ms (1 conn) | {many['rps']:8.0f} req/s, p99 {many['p99']:7.1f} ms, "
          f"errors {many['errors']}, socket {many['socket_errors']} (64 conn)", flush=True)
    return {"one": one, "many": many}


def gateway(upstream: str, audit: bool, receiver: OtlpReceiver | None) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    env = {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver.port}"} if audit else {}
    proc = start([sys.executable, "-m", "privllm.cli", "gateway", "--dev", "--upstream", upstream, "--port", str(port), "--dev-rpm", "1000000"],
                 env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    key = proc.stdout.readline().split("api-key: ")[1].strip()
    url = f"http://127.0.0.1:{port}"
    wait_ready(f"{url}/healthz")
    return proc, url, key


def litellm(upstream: str) -> tuple[subprocess.Popen, str, str]:
    exe = peer("litellm", "litellm[proxy]==1.106.2", "litellm")
    port = free_port()
    key = "sk-bench-master-key-0123456789"
    config = Path(tempfile.mkdtemp()) / "litellm.yaml"
    config.write_text(
        "model_list:\n"
        f"  - model_name: {MODEL}\n"
        "    litellm_params:\n"
        f"      model: openai/{MODEL}\n"
        f"      api_base: {upstream}/v1\n"
        "      api_key: none\n"
        "general_settings:\n"
        f"  master_key: {key}\n"
    )
    proc = start([str(exe), "--config", str(config), "--port", str(port), "--num_workers", "1"],
                 env={"LITELLM_LOG": "ERROR", "LITELLM_TELEMETRY": "False"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_ready(f"{url}/health/liveliness", timeout=180)
    return proc, url, key


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--prompt-bytes", type=int, default=0, help="prompt size (0: one short sentence); the guards scan all of it")
    parser.add_argument("--audit-rounds", type=int, default=3, help="alternating audit on/off rounds at 64 connections (medians compared)")
    args = parser.parse_args()
    global BODY
    BODY = body(args.prompt_bytes)
    up_port = free_port()
    upstream = start([sys.executable, "-m", "privllm.serving.vllm.standin", "serve", "/models", "--served-model-name", MODEL, "--port", str(up_port)], cwd=ROOT)
    upstream_url = f"http://127.0.0.1:{up_port}"
    receiver = OtlpReceiver(free_port()).start()
    procs = [upstream]
    try:
        wait_ready(f"{upstream_url}/health")
        print(f"wrk, {args.seconds} s per run, prompt of {len(BODY)} bytes, 2 cores shared by wrk, the proxy and the stand-in upstream")
        results = {"direct": measure("direct (stand-in)", upstream_url, None, args.seconds)}
        proc, url, key = gateway(upstream_url, audit=True, receiver=receiver)
        procs.append(proc)
        results["privllm"] = measure("privllm (audit on)", url, key, args.seconds)
        stop(proc)
        proc, url, key = gateway(upstream_url, audit=False, receiver=None)
        procs.append(proc)
        results["privllm-noaudit"] = measure("privllm (audit off)", url, key, args.seconds)
        stop(proc)
        # Audit on vs off: alternate, so drift in the machine's speed hits both alike.
        on_rps, off_rps = [], []
        for _ in range(args.audit_rounds):
            for audit, into in ((True, on_rps), (False, off_rps)):
                proc, url, key = gateway(upstream_url, audit=audit, receiver=receiver)
                procs.append(proc)
                wrk(url, key, 64, 2)
                into.append(wrk(url, key, 64, args.seconds)["rps"])
                stop(proc)
        print(f"  audit on  {', '.join(f'{r:.0f}' for r in on_rps)} req/s; audit off {', '.join(f'{r:.0f}' for r in off_rps)} req/s (64 conn, alternating)", flush=True)
        proc, url, key = litellm(upstream_url)
        procs.append(proc)
        results["litellm"] = measure("litellm 1.106.2", url, key, args.seconds)
        stop(proc)
    finally:
        for p in procs:
            if p.poll() is None:
                stop(p)
        receiver.stop()
    direct = results["direct"]["one"]["p50"]
    ours_added = results["privllm"]["one"]["p50"] - direct
    theirs_added = results["litellm"]["one"]["p50"] - direct
    rps_ratio = results["privllm"]["many"]["rps"] / results["litellm"]["many"]["rps"]
    import statistics

    audit_cost = 1 - statistics.median(on_rps) / statistics.median(off_rps)
    print(f"\nadded p50 at 1 connection: privllm {ours_added:.2f} ms, litellm {theirs_added:.2f} ms -> "
          f"{ours_added / theirs_added:.3f} of LiteLLM's (goal: at most 0.125)")
    print(f"throughput at 64 connections: {rps_ratio:.1f}x LiteLLM's (goal: at least 10x), privllm errors: {results['privllm']['many']['errors']}")
    print(f"audit on vs off: {audit_cost:.1%} less throughput, medians of {args.audit_rounds} alternating rounds (goal: within 5%); audit records received: {len(receiver.records)}")


if __name__ == "__main__":
    main()
