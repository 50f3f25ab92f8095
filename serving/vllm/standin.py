"""vLLM stand-in: a CPU server that speaks vLLM's OpenAI API and exports vllm:* metrics.

Used where vLLM itself cannot run (no GPU): the kind stack, dev mode and tests. It answers
deterministically: the completion repeats the last user message after "Echo: ", so tests
can make the "model" say anything. Not a model, and named so everywhere it is used.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
import uuid

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from privllm.facts import VLLM_PORT


class StandinMetrics:
    def __init__(self, model: str):
        self.registry = r = CollectorRegistry()
        labels = ["model_name"]
        self.waiting = Gauge("vllm:num_requests_waiting", "Requests waiting", labels, registry=r)
        self.running = Gauge("vllm:num_requests_running", "Requests running", labels, registry=r)
        self.kv_usage = Gauge("vllm:kv_cache_usage_perc", "KV-cache usage (1 = 100%)", labels, registry=r)
        self.ttft = Histogram("vllm:time_to_first_token_seconds", "Time to first token", labels, registry=r)
        self.e2e = Histogram("vllm:e2e_request_latency_seconds", "End-to-end latency", labels, registry=r)
        self.success = Counter("vllm:request_success", "Finished requests", labels + ["finished_reason"], registry=r)
        self.prompt_tokens = Counter("vllm:prompt_tokens", "Prompt tokens", labels, registry=r)
        self.generation_tokens = Counter("vllm:generation_tokens", "Generated tokens", labels, registry=r)
        for m in (self.waiting, self.running, self.kv_usage):
            m.labels(model).set(0)


# What makes the stand-in's classification "model" answer INJECTION (tests plant it).
CLASSIFIER_MARKER = "[standin:injection]"


def create_standin(model: str = "standin-model", delay: float = 0.0, api_key: str | None = None, chunk: int = 8, group: _Group | None = None) -> Starlette:
    metrics = StandinMetrics(model)

    def authorised(request: Request) -> bool:
        return api_key is None or request.headers.get("authorization") == f"Bearer {api_key}"

    def reply_text(body: dict) -> str:
        if "messages" in body:
            users = [m for m in body["messages"] if m.get("role") == "user"]
            text = users[-1].get("content", "") if users else ""
            text = text if isinstance(text, str) else " ".join(p.get("text", "") for p in text)
        else:
            prompt = body.get("prompt", "")
            text = prompt if isinstance(prompt, str) else " ".join(prompt)
        return "Echo: " + text

    async def completions(request: Request) -> Response:
        if not authorised(request):
            return JSONResponse({"error": {"message": "Unauthorized"}}, status_code=401)
        body = await request.json()
        if body.get("model") != model:
            return JSONResponse({"error": {"message": f"The model `{body.get('model')}` does not exist.", "type": "NotFoundError", "code": 404}}, status_code=404)
        started = time.perf_counter()
        metrics.running.labels(model).inc()
        text = reply_text(body)
        chat = request.url.path.endswith("/chat/completions")
        prompt_tokens = max(1, len(json.dumps(body.get("messages", body.get("prompt", "")))) // 4)
        words = text.split(" ")
        limit = body.get("max_tokens") or body.get("max_completion_tokens") or len(words)
        words = words[:limit]
        text = " ".join(words)
        if delay:
            await asyncio.sleep(delay)
        metrics.ttft.labels(model).observe(time.perf_counter() - started)
        rid = f"cmpl-{uuid.uuid4().hex[:16]}"
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": len(words), "total_tokens": prompt_tokens + len(words)}
        if body.get("stream"):
            async def events():
                try:
                    for i in range(0, len(text), chunk):
                        piece = text[i : i + chunk]
                        delta = {"delta": {"content": piece}} if chat else {"text": piece}
                        yield ("data: " + json.dumps({"id": rid, "object": "chat.completion.chunk", "model": model, "choices": [{"index": 0, **delta, "finish_reason": None}]}) + "\n\n").encode()
                    final = {"delta": {}} if chat else {"text": ""}
                    yield ("data: " + json.dumps({"id": rid, "model": model, "choices": [{"index": 0, **final, "finish_reason": "stop"}], "usage": usage}) + "\n\n").encode()
                    yield b"data: [DONE]\n\n"
                finally:
                    metrics.running.labels(model).dec()
                    metrics.e2e.labels(model).observe(time.perf_counter() - started)
                    metrics.success.labels(model, "stop").inc()
            return StreamingResponse(events(), media_type="text/event-stream")
        metrics.running.labels(model).dec()
        metrics.e2e.labels(model).observe(time.perf_counter() - started)
        metrics.success.labels(model, "stop").inc()
        metrics.prompt_tokens.labels(model).inc(prompt_tokens)
        metrics.generation_tokens.labels(model).inc(len(words))
        choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"} if chat else {"index": 0, "text": text, "finish_reason": "stop"}
        return JSONResponse({"id": rid, "object": "chat.completion" if chat else "text_completion", "created": int(time.time()), "model": model, "choices": [choice], "usage": usage})

    async def embeddings(request: Request) -> Response:
        if not authorised(request):
            return JSONResponse({"error": {"message": "Unauthorized"}}, status_code=401)
        body = await request.json()
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [{"object": "embedding", "index": i, "embedding": [float(len(t) % 7), float(len(t) % 11), 0.5]} for i, t in enumerate(inputs)]
        return JSONResponse({"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": sum(len(t) // 4 for t in inputs), "total_tokens": 0}})

    async def classify(request: Request) -> Response:
        # vLLM's classification API, for the gateway's injection classifier. The stand-in's
        # "model" calls a text an injection when it carries CLASSIFIER_MARKER, nothing else.
        if not authorised(request):
            return JSONResponse({"error": {"message": "Unauthorized"}}, status_code=401)
        body = await request.json()
        if body.get("model") != model:
            return JSONResponse({"error": {"message": f"The model `{body.get('model')}` does not exist.", "type": "NotFoundError", "code": 404}}, status_code=404)
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        if delay:
            await asyncio.sleep(delay)
        data = [
            {"index": i, "label": "INJECTION", "probs": [0.03, 0.97], "num_classes": 2} if CLASSIFIER_MARKER in t
            else {"index": i, "label": "SAFE", "probs": [0.98, 0.02], "num_classes": 2}
            for i, t in enumerate(inputs)
        ]
        tokens = sum(len(t) // 4 for t in inputs)
        return JSONResponse({"id": f"classify-{uuid.uuid4().hex[:16]}", "object": "list", "created": int(time.time()), "model": model, "data": data,
                             "usage": {"prompt_tokens": tokens, "total_tokens": tokens, "completion_tokens": 0}})

    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": model, "object": "model", "owned_by": "vllm-standin"}]})

    async def health(request: Request) -> Response:
        # Multi-node: not ready until every rank has joined (what vLLM's /health reflects).
        return Response(status_code=200 if group is None or group.complete.is_set() else 503)

    async def prom(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if group is not None:
            await group.lead()
        yield

    return Starlette(
        lifespan=lifespan,
        routes=[
            Route("/v1/chat/completions", completions, methods=["POST"]),
            Route("/v1/completions", completions, methods=["POST"]),
            Route("/v1/embeddings", embeddings, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
            Route("/classify", classify, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/metrics", prom, methods=["GET"]),
        ]
    )


def seeded_files(model: str) -> dict[str, bytes]:
    """The tiny weights directory the kind stack seeds for the stand-in: a config and its checksum manifest."""
    import hashlib

    config = (json.dumps({"model_type": "privllm-vllm-standin", "name": model}) + "\n").encode()
    return {"config.json": config, "SHA256SUMS": f"{hashlib.sha256(config).hexdigest()}  config.json\n".encode()}


def seeded_manifest_sha256(model: str) -> str:
    """What the local stack records as weights.manifest_sha256 for a seeded stand-in model."""
    import hashlib

    return hashlib.sha256(seeded_files(model)["SHA256SUMS"]).hexdigest()


def seed_weights(path: str, model: str) -> None:
    """Write a tiny weights directory with its checksum manifest (kind stack: the stand-in has no real weights)."""
    from pathlib import Path

    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    for name, data in seeded_files(model).items():
        (root / name).write_bytes(data)


class _Group:
    """vLLM's native multi-node rendezvous, stood in: rank 0 listens on --master-port and is ready
    (its /health answers 200) only once every other rank has joined; the others (--headless)
    connect to --master-addr, retrying until rank 0 is up, and stay until it goes away."""

    def __init__(self, nnodes: int, rank: int, master_addr: str, master_port: int):
        self.nnodes, self.rank, self.master_addr, self.master_port = nnodes, rank, master_addr, master_port
        self.joined: set[int] = set()
        self.complete = asyncio.Event()

    async def lead(self) -> None:
        async def joined(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            line = await reader.readline()
            rank = int(line.decode().split()[1])  # "rank N"
            self.joined.add(rank)
            if len(self.joined) == self.nnodes - 1:
                self.complete.set()
            writer.write(b"ok\n")
            await writer.drain()
            await reader.read()  # held open: the group lives as long as the connection

        if self.nnodes == 1:
            self.complete.set()
            return
        self._server = await asyncio.start_server(joined, "0.0.0.0", self.master_port)

    async def join(self) -> None:
        while True:
            try:
                reader, writer = await asyncio.open_connection(self.master_addr, self.master_port)
                break
            except OSError:
                await asyncio.sleep(0.2)  # rank 0 not up yet: keep knocking, as vLLM's workers do
        writer.write(f"rank {self.rank}\n".encode())
        await writer.drain()
        await reader.readline()
        await reader.read()  # until rank 0 closes


def main(argv: list[str] | None = None) -> None:
    """`vllm serve PATH --served-model-name NAME --host H --port P ...` as vLLM takes it, other flags ignored.

    The stand-in image installs this as its `vllm` command, so the vllm-server chart runs it unchanged,
    multi-node included (--nnodes, --node-rank, --master-addr, --master-port, --headless).
    """
    import os

    import uvicorn

    parser = argparse.ArgumentParser(prog="vllm", description="vLLM stand-in (CPU echo server with vLLM's CLI, API and metrics)")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("model_path")
    serve.add_argument("--served-model-name", default="standin-model")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=VLLM_PORT)
    serve.add_argument("--delay", type=float, default=0.0)
    serve.add_argument("--nnodes", type=int, default=1)
    serve.add_argument("--node-rank", type=int, default=0)
    serve.add_argument("--master-addr", default="127.0.0.1")
    serve.add_argument("--master-port", type=int, default=29501)
    serve.add_argument("--headless", action="store_true")
    seed = sub.add_parser("seed-weights")
    seed.add_argument("path")
    seed.add_argument("--served-model-name", default="standin-model")
    args, _ignored = parser.parse_known_args(argv)
    if args.command == "seed-weights":
        seed_weights(args.path, args.served_model_name)
        return
    group = _Group(args.nnodes, args.node_rank, args.master_addr, args.master_port)
    if args.headless or args.node_rank > 0:
        asyncio.run(group.join())
        return
    # Like vLLM, the API key comes from VLLM_API_KEY (the chart reads it from the Vault-mounted file).
    app = create_standin(args.served_model_name, args.delay, os.environ.get("VLLM_API_KEY"), group=group)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
