"""The guard pipeline: one small interface per kind of guard, run in a fixed order.

- RequestGuard sees the request body once and then every input text field (every role,
  content parts, names, tool calls and results, legacy prompts, embeddings items).
- DocumentGuard sees each retrieved document; it may rewrite it or exclude it with a
  reason, which the client is told (never a silent drop).
- ResponseGuard sees the whole answer before the client does.
- StreamGuard opens one filter per stream; chunks pass through it and it flushes what it
  holds on every way a stream ends.

A guard is a class in serving/gateway/steps/; adding one is a new file plus a line in
steps.default_pipeline().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from privllm.serving.gateway.audit import AuditRecord
from privllm.serving.gateway.auth import Principal
from privllm.serving.gateway.config import GatewayConfig, Upstream
from privllm.serving.gateway.fields import TextField, set_path
from privllm.serving.gateway.metrics import GatewayMetrics
from privllm.serving.gateway.schema import Document

# The response field (and stream chunk field) telling the client what guards did.
NOTES_FIELD = "privllm"
NOTES_HEADER = "x-privllm-guardrails"


@dataclass(frozen=True)
class Note:
    """One action a guard took that the client is told about."""

    guard: str
    action: str
    field: str | None = None
    document: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("guard", self.guard), ("action", self.action), ("field", self.field), ("document", self.document), ("detail", self.detail)) if v}


@dataclass
class GuardContext:
    """What a guard may know about the request it is looking at."""

    config: GatewayConfig
    upstream: Upstream
    principal: Principal
    record: AuditRecord
    metrics: GatewayMetrics
    notes: list[Note] = field(default_factory=list)
    # The gateway's HTTP client session, for guards that call a model (a classifier).
    http: Callable[[], aiohttp.ClientSession] | None = None

    def note(self, guard: str, action: str, *, field: str | None = None, document: str | None = None, detail: str | None = None, count: int = 0) -> None:
        """Audit the action, tell the client, and count redacted values."""
        where = field or (f"document {document}" if document else None)
        self.record.guard(guard, action, ": ".join(p for p in (where, detail) if p) or None)
        self.notes.append(Note(guard, action, field, document, detail))
        if count:
            self.metrics.guard_redactions.labels(guard).inc(count)

    @property
    def phone_regions(self) -> tuple[str, ...]:
        """The regions whose national phone formats the sensitive-data guards recognise."""
        return tuple(self.config.guardrails.pii_phone_regions)

    def notes_body(self) -> dict[str, Any] | None:
        return {"guardrails": [n.as_dict() for n in self.notes]} if self.notes else None

    def notes_header(self) -> dict[str, str]:
        if not self.notes:
            return {}
        return {NOTES_HEADER: ",".join(sorted({f"{n.guard}:{n.action}" for n in self.notes}))}


class RequestGuard:
    """Override check_body and check_field for in-process checks; override check_fields to see
    every field at once (one call to a classifier model for the whole request)."""

    guard_id: str

    def check_body(self, ctx: GuardContext, body: dict) -> None:
        """Request-wide rules (parameters); raise GatewayError to refuse."""

    def check_field(self, ctx: GuardContext, field: TextField) -> str | None:
        """The text to send instead, or None to keep it; raise GatewayError to refuse."""
        return None

    async def check_fields(self, ctx: GuardContext, body: dict, fields: list[TextField]) -> None:
        for f in fields:
            replacement = self.check_field(ctx, f)
            if replacement is not None:
                f.text = replacement
                set_path(body, f.path, replacement)


@dataclass
class DocumentVerdict:
    text: str
    excluded: str | None = None  # why, when the document does not reach the model


class DocumentGuard:
    """Override check_document, or check_documents to see them all at once."""

    guard_id: str

    def check_document(self, ctx: GuardContext, document: Document, text: str) -> DocumentVerdict:
        return DocumentVerdict(text)

    async def check_documents(self, ctx: GuardContext, documents: list[tuple[Document, str]]) -> list[DocumentVerdict]:
        return [self.check_document(ctx, doc, text) for doc, text in documents]


class ResponseGuard:
    guard_id: str

    def check_answer(self, ctx: GuardContext, answer: dict) -> None:
        """Rewrite the answer in place; raise GatewayError to withhold it."""


class StreamFilter:
    def feed(self, chunk: dict) -> list[dict]:
        """The chunks to pass on for this upstream chunk (it may be changed in place)."""
        return [chunk]

    def end(self) -> list[dict]:
        """Chunks to send before the stream closes, whichever way it ended."""
        return []


class StreamGuard:
    guard_id: str

    def open(self, ctx: GuardContext, chunk_template: dict) -> StreamFilter:
        return StreamFilter()


@dataclass
class StreamChain(StreamFilter):
    filters: list[StreamFilter]

    def feed(self, chunk: dict) -> list[dict]:
        chunks = [chunk]
        for f in self.filters:
            chunks = [out for c in chunks for out in f.feed(c)]
        return chunks

    def end(self) -> list[dict]:
        chunks: list[dict] = []
        for f in self.filters:
            # What an earlier filter releases at the end still passes the later ones.
            chunks = [out for c in chunks for out in f.feed(c)] + f.end()
        return chunks


@dataclass
class GuardPipeline:
    request: list[RequestGuard] = field(default_factory=list)
    documents: list[DocumentGuard] = field(default_factory=list)
    response: list[ResponseGuard] = field(default_factory=list)
    stream: list[StreamGuard] = field(default_factory=list)

    def guard_body(self, ctx: GuardContext, body: dict) -> None:
        for guard in self.request:
            guard.check_body(ctx, body)

    async def guard_fields(self, ctx: GuardContext, body: dict, fields: list[TextField]) -> None:
        """Each guard in turn over every field: a refusal by an earlier guard stops the rest."""
        for guard in self.request:
            await guard.check_fields(ctx, body, fields)

    async def guard_inputs(self, ctx: GuardContext, body: dict, fields: list[TextField]) -> None:
        self.guard_body(ctx, body)
        await self.guard_fields(ctx, body, fields)

    async def guard_documents(self, ctx: GuardContext, documents: list[Document]) -> list[tuple[Document, str]]:
        """The documents that reach the model, each with its (possibly rewritten) text."""
        kept = [(doc, doc.text) for doc in documents]
        for guard in self.documents:
            if not kept:
                break
            verdicts = await guard.check_documents(ctx, kept)
            still = []
            for (doc, _), verdict in zip(kept, verdicts, strict=True):
                if verdict.excluded:
                    ctx.note(guard.guard_id, "exclude-document", document=doc.id, detail=verdict.excluded)
                else:
                    still.append((doc, verdict.text))
            kept = still
        return kept

    def guard_answer(self, ctx: GuardContext, answer: dict) -> None:
        for guard in self.response:
            guard.check_answer(ctx, answer)

    def open_stream(self, ctx: GuardContext, chunk_template: dict) -> StreamChain:
        return StreamChain([g.open(ctx, chunk_template) for g in self.stream])

