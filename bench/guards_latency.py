"""Latency of all input and output guards together on a 2 KB prompt (and its echo), in-process.

Run: python bench/guards_latency.py
The gateway's own benchmark (gateway_vs_litellm.py) runs with these guards on.
"""

from __future__ import annotations

import statistics
import time

from serving.gateway.guards import injection, rag, sensitive
from serving.gateway.schema import Document

PROMPT = (
    "Please summarise the attached incident report for the weekly operations review. Focus on what failed, "
    "who was affected, and the follow-up actions with owners. Contact ops-lead@corp.example if anything is unclear; "
    "the on-call phone is +44 20 7946 0958. "
) * 8
DOCS = [Document(id=f"doc-{i}", text="Quarterly figures for the EMEA region were within plan. " * 5, acl=["ops"]) for i in range(3)]


def once() -> float:
    started = time.perf_counter()
    kept, _ = rag.filter_documents(DOCS, frozenset({"ops"}))
    for d in kept:
        injection.inspect(d.text)
    injection.inspect(PROMPT)
    sensitive.redact(PROMPT)
    sensitive.redact(rag.render(kept))
    sensitive.redact("Echo: " + PROMPT)  # output guard on the completion
    return time.perf_counter() - started


def main() -> None:
    for _ in range(50):
        once()
    samples = sorted(once() for _ in range(500))
    print(f"prompt {len(PROMPT.encode())} bytes, 3 retrieved documents, output of the same size")
    print(f"all guards: p50 {statistics.median(samples) * 1000:.2f} ms, p99 {samples[int(len(samples) * 0.99)] * 1000:.2f} ms")


if __name__ == "__main__":
    main()
