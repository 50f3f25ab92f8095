"""What auditing costs the gateway: throughput with audit off, normal and durable, side by side.

The same gateway (default guardrails) in front of the vLLM stand-in, driven by wrk at 64
connections; rounds alternate off / normal / durable (order rotated each round) so that drift of this shared machine hits
every mode alike, and the medians are compared. Audit records go over OTLP/gRPC to the test
receiver; durable mode fsyncs each group commit to a spool in a temporary directory.

Goal: normal audit costs at most 5% of the throughput of audit off, durable at most 10%.

    PYTHONPATH=. .venv/bin/python -m bench.audit_cost [--rounds 3] [--seconds 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

from bench.common import ROOT
from bench.gateway_vs_litellm import MODEL, start, stop, wait_ready, wrk
from privllm.serving.telemetry.receiver import OtlpReceiver
from tests.servers import free_port

MODES = ("off", "normal", "durable")


def serve(upstream: str, port: int, mode: str, spool: str) -> None:
    """The gateway process of one round (run as `python -m bench.audit_cost serve ...`)."""
    from privllm.serving.gateway.audit import AuditLog
    from privllm.serving.gateway.config import GatewayConfig
    from privllm.serving.gateway.keys import MemoryKeyStore
    from privllm.serving.gateway.server import review_store
    from privllm.serving.gateway.server import serve as run
    from privllm.serving.gateway.state import GatewayState

    audit = {"mode": "durable" if mode == "durable" else "normal", "spool_dir": spool}
    config = GatewayConfig.model_validate({
        "upstreams": [{"name": MODEL, "url": upstream}], "audit": audit,
        "rate_limits": {"requests_per_minute": 1_000_000, "tokens_per_minute": 100_000_000},
    })
    store = MemoryKeyStore()
    key = store.issue("bench", [MODEL])
    state = GatewayState(config=config, key_store=store, audit=AuditLog.from_config(config), reviews=review_store(config))
    print(f"api-key: {key}", flush=True)
    run(state, "127.0.0.1", port)


def gateway(upstream: str, mode: str, receiver: OtlpReceiver) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    if mode != "off":
        env |= {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver.port}"}
    spool = tempfile.mkdtemp(prefix="privllm-bench-spool-")
    proc = subprocess.Popen([sys.executable, "-m", "bench.audit_cost", "serve", upstream, str(port), mode, spool],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT, start_new_session=True)
    key = proc.stdout.readline().split("api-key: ")[1].strip()
    url = f"http://127.0.0.1:{port}"
    wait_ready(f"{url}/healthz")
    return proc, url, key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    upstream_port = free_port()
    standin = start([sys.executable, "-m", "privllm.cli", "vllm-standin", "--port", str(upstream_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    receiver = OtlpReceiver(free_port()).start()
    rps: dict[str, list[float]] = {m: [] for m in MODES}
    errors = 0
    try:
        upstream = f"http://127.0.0.1:{upstream_port}"
        wait_ready(f"{upstream}/v1/models")
        print(f"wrk, 64 connections, {args.seconds} s per run, {args.rounds} alternating rounds; 2 cores shared by wrk, the gateway, its exporter and the stand-in", flush=True)
        for round_ in range(args.rounds):
            for mode in MODES[round_ % 3:] + MODES[:round_ % 3]:  # rotated: no mode always runs first
                proc, url, key = gateway(upstream, mode, receiver)
                try:
                    wrk(url, key, 64, 2)  # warm-up
                    result = wrk(url, key, 64, args.seconds)
                finally:
                    stop(proc)
                rps[mode].append(result["rps"])
                errors += result["errors"]
                print(f"  round {round_ + 1}: audit {mode:8s} {result['rps']:7.0f} req/s, p99 {result['p99']:.1f} ms, errors {result['errors']}", flush=True)
    finally:
        receiver.stop()
        stop(standin)
    off = statistics.median(rps["off"])
    for mode, goal in (("normal", 0.05), ("durable", 0.10)):
        cost = 1 - statistics.median(rps[mode]) / off
        print(f"audit {mode} vs off: ratio {statistics.median(rps[mode]) / off:.3f}, {cost:.1%} less throughput (goal: at most {goal:.0%}) -> {'met' if cost <= goal else 'NOT met'}")
    print(f"non-2xx responses: {errors}; audit records received: {len(receiver.records)}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        main()
