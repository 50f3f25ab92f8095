"""Log probabilities repeat the answer token by token, so they are guarded like the text.

- Refused on confidential and restricted models: top alternatives can carry fragments of
  values no single-token check would recognise.
- Elsewhere a choice's logprobs are dropped (set to null, and the client told) when its
  tokens, joined, contain a sensitive value; streamed logprobs are held until the choice
  ends and then judged by the same rule, so plain and streamed answers agree.
"""

from __future__ import annotations

from typing import Any

from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.fields import as_list
from privllm.serving.gateway.guards import sensitive
from privllm.serving.gateway.pipeline import GuardContext, RequestGuard, ResponseGuard, StreamFilter, StreamGuard

GUARD_ID = "PLLM-G-LOGPROBS"
REFUSED_FOR = frozenset({"confidential", "restricted"})
# The per-token lists of a legacy (completions) logprobs object.
_LEGACY_LISTS = ("tokens", "token_logprobs", "top_logprobs", "text_offset")


def _token_text(logprobs: dict) -> str:
    if isinstance(logprobs.get("tokens"), list):
        return "".join(t for t in logprobs["tokens"] if isinstance(t, str))
    entries = as_list(logprobs.get("content")) + as_list(logprobs.get("refusal"))
    return "".join(e.get("token") or "" for e in entries if isinstance(e, dict))


def _merge(parts: list[dict]) -> dict[str, Any]:
    merged: dict[str, list] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
    return merged


class LogprobsGuard(RequestGuard, ResponseGuard, StreamGuard):
    guard_id = GUARD_ID

    def check_body(self, ctx: GuardContext, body: dict) -> None:
        asked = next((k for k in ("logprobs", "top_logprobs") if body.get(k) not in (None, False)), None)
        if asked and ctx.upstream.data_classification in REFUSED_FOR:
            ctx.record.guard(self.guard_id, "block", asked)
            raise GatewayError(
                400, f"{asked} is not available on a {ctx.upstream.data_classification} model: token alternatives bypass redaction; "
                "omit it or use a public or internal model", "logprobs_not_allowed", param=asked, guard=self.guard_id,
            )

    def judge(self, ctx: GuardContext, index: int, logprobs: dict) -> dict | None:
        found = [f.kind for f in sensitive.find(_token_text(logprobs), ctx.phone_regions)]
        if not found:
            return logprobs
        ctx.note(self.guard_id, "drop", field=f"choices[{index}].logprobs", detail=",".join(sorted(set(found))))
        return None

    def check_answer(self, ctx: GuardContext, answer: dict) -> None:
        for position, choice in enumerate(as_list(answer.get("choices"))):
            if isinstance(choice, dict) and isinstance(choice.get("logprobs"), dict):
                choice["logprobs"] = self.judge(ctx, choice.get("index", position), choice["logprobs"])

    def open(self, ctx: GuardContext, chunk_template: dict) -> StreamFilter:
        return _HoldingFilter(self, ctx, chunk_template)


class _HoldingFilter(StreamFilter):
    def __init__(self, guard: LogprobsGuard, ctx: GuardContext, template: dict):
        self.guard, self.ctx, self.template = guard, ctx, template
        self.held: dict[int, list[dict]] = {}

    def feed(self, chunk: dict) -> list[dict]:
        for position, choice in enumerate(as_list(chunk.get("choices"))):
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", position)
            if isinstance(choice.get("logprobs"), dict):
                self.held.setdefault(index, []).append(choice["logprobs"])
                choice["logprobs"] = None
            if choice.get("finish_reason") and index in self.held:
                choice["logprobs"] = self.guard.judge(self.ctx, index, _merge(self.held.pop(index)))
        return [chunk]

    def end(self) -> list[dict]:
        chunks = []
        legacy = self.template.get("object") == "text_completion"
        for index in sorted(self.held):
            logprobs = self.guard.judge(self.ctx, index, _merge(self.held[index]))
            if logprobs is not None:
                choice: dict[str, Any] = {"index": index, "finish_reason": None, "logprobs": logprobs, **({"text": ""} if legacy else {"delta": {}})}
                chunks.append({**self.template, "choices": [choice]})
        self.held.clear()
        return chunks
