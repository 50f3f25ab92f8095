"""Sensitive data in every text field of an answer, plain or streamed: redacted, or the
answer withheld when the policy blocks (detector and stream redactor: guards/sensitive.py).

Streams keep one redactor per field (choice, content / reasoning / each tool call's
arguments), so a value split across chunks is caught and the streamed text equals the
plain one. What a redactor holds is released when its choice finishes, at [DONE], and
when the upstream stops without either.
"""

from __future__ import annotations

from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.fields import Path, answer_outputs, as_list, chunk_outputs, path_name, set_path
from privllm.serving.gateway.guards import sensitive
from privllm.serving.gateway.pipeline import GuardContext, ResponseGuard, StreamFilter, StreamGuard

StreamKey = tuple[int, Path]  # (choice index, field path inside the choice)


def _kinds(found: list[str]) -> str:
    return ",".join(sorted(set(found)))


def _field_name(index: int, relative: Path) -> str:
    # Named as in a plain answer (message, not delta), so both report the same fields.
    return path_name(("choices", index, *("message" if p == "delta" else p for p in relative)))


class SensitiveOutputGuard(ResponseGuard, StreamGuard):
    guard_id = sensitive.GUARD_OUTPUT

    def check_answer(self, ctx: GuardContext, answer: dict) -> None:
        changes = []
        for field in answer_outputs(answer):
            redacted, found = sensitive.redact(field.text, ctx.phone_regions)
            if found:
                changes.append((field, redacted, found))
        if not changes:
            return
        if ctx.config.guardrails.pii_output == "block":
            detail = "; ".join(f"{f.name}: {_kinds(found)}" for f, _, found in changes)
            ctx.record.guard(self.guard_id, "block", detail)
            raise GatewayError(502, "the model's answer contained sensitive data and was withheld", "sensitive_output", guard=self.guard_id)
        for field, redacted, found in changes:
            set_path(answer, field.path, redacted)
            ctx.note(self.guard_id, "redact", field=field.name, detail=_kinds(found), count=len(found))

    def open(self, ctx: GuardContext, chunk_template: dict) -> StreamFilter:
        return _RedactingFilter(ctx, chunk_template, self.guard_id)


def _append(choice: dict, relative: Path, text: str) -> None:
    """Add released text to a choice at a field path, creating the field if this chunk lacks it."""
    if relative[:2] == ("delta", "tool_calls"):
        delta = choice.setdefault("delta", {})
        calls = as_list(delta.get("tool_calls"))
        delta["tool_calls"] = calls
        call = next((c for c in calls if c.get("index") == relative[2]), None)
        if call is None:
            call = {"index": relative[2], "function": {}}
            calls.append(call)
        function = call.setdefault("function", {})
        function["arguments"] = (function.get("arguments") or "") + text
        return
    holder = choice
    for part in relative[:-1]:
        holder = holder.setdefault(part, {})
    holder[relative[-1]] = (holder.get(relative[-1]) or "") + text


class _RedactingFilter(StreamFilter):
    def __init__(self, ctx: GuardContext, template: dict, guard_id: str):
        self.ctx, self.template, self.guard_id = ctx, template, guard_id
        self.redactors: dict[StreamKey, sensitive.StreamRedactor] = {}

    def feed(self, chunk: dict) -> list[dict]:
        for key, field in chunk_outputs(chunk):
            redactor = self.redactors.get(key)
            if redactor is None:
                redactor = self.redactors[key] = sensitive.StreamRedactor(self.ctx.phone_regions)
            set_path(chunk, field.path, redactor.feed(field.text))
        for position, choice in enumerate(as_list(chunk.get("choices"))):
            if isinstance(choice, dict) and choice.get("finish_reason"):
                self._release(choice, choice.get("index", position))
        return [chunk]

    def _release(self, choice: dict, index: int) -> None:
        for key in [k for k in self.redactors if k[0] == index]:
            redactor = self.redactors.pop(key)
            rest = redactor.flush()
            if rest:
                _append(choice, key[1], rest)
            if redactor.kinds:
                self.ctx.note(self.guard_id, "redact", field=_field_name(*key), detail=_kinds(redactor.kinds), count=len(redactor.kinds))

    def end(self) -> list[dict]:
        chunks = []
        for index in sorted({k[0] for k in self.redactors}):
            legacy = self.template.get("object") == "text_completion"
            choice: dict = {"index": index, "finish_reason": None, **({"text": ""} if legacy else {"delta": {}})}
            self._release(choice, index)
            chunks.append({**self.template, "choices": [choice]})
        return chunks
