"""Latency of the whole guard pipeline on a 2 KB chat prompt, 3 retrieved documents and the
answer (its echo), in-process: the same steps, in the same order, as a gateway request.

Run: python bench/guards_latency.py
The gateway's own benchmark (gateway_vs_litellm.py) runs with these guards on.
"""

from __future__ import annotations

import asyncio
import copy
import statistics
import time

from privllm.serving.gateway.audit import AuditRecord
from privllm.serving.gateway.auth import Principal
from privllm.serving.gateway.config import GatewayConfig
from privllm.serving.gateway.fields import chat_inputs
from privllm.serving.gateway.metrics import GatewayMetrics
from privllm.serving.gateway.pipeline import GuardContext
from privllm.serving.gateway.schema import Document
from privllm.serving.gateway.steps import default_pipeline

PROMPT = (
    "Please summarise the attached incident report for the weekly operations review. Focus on what failed, "
    "who was affected, and the follow-up actions with owners. Contact ops-lead@corp.example if anything is unclear; "
    "the on-call phone is +44 20 7946 0958. "
) * 8
DOCS = [Document(id=f"doc-{i}", text="Quarterly figures for the EMEA region were within plan. " * 5, acl=["ops"]) for i in range(3)]
BODY = {"model": "m", "messages": [{"role": "system", "content": "You summarise reports."}, {"role": "user", "content": PROMPT}]}
ANSWER = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Echo: " + PROMPT}, "finish_reason": "stop"}]}
CONFIG = GatewayConfig.model_validate({"upstreams": [{"name": "m", "url": "http://upstream.invalid"}]})
PRINCIPAL = Principal("bench", frozenset({"m"}), None, None, frozenset({"ops"}), frozenset())
METRICS = GatewayMetrics()
PIPELINE = default_pipeline()


async def once() -> float:
    body, answer = copy.deepcopy(BODY), copy.deepcopy(ANSWER)
    started = time.perf_counter()
    ctx = GuardContext(CONFIG, CONFIG.upstreams[0], PRINCIPAL, AuditRecord("r", "/v1/chat/completions", "POST"), METRICS)
    await PIPELINE.guard_inputs(ctx, body, chat_inputs(body))
    await PIPELINE.guard_documents(ctx, DOCS)
    PIPELINE.guard_answer(ctx, answer)
    return time.perf_counter() - started


async def sample(n: int) -> list[float]:
    return [await once() for _ in range(n)]


def main() -> None:
    asyncio.run(sample(50))
    samples = sorted(asyncio.run(sample(500)))
    print(f"prompt {len(PROMPT.encode())} bytes, 3 retrieved documents, output of the same size")
    print(f"guard pipeline: p50 {statistics.median(samples) * 1000:.2f} ms, p99 {samples[int(len(samples) * 0.99)] * 1000:.2f} ms")


if __name__ == "__main__":
    main()
