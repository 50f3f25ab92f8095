"""The guard pipeline on its own: order, rewriting, document exclusion, stream chaining."""

from __future__ import annotations

import asyncio

import pytest

from privllm.serving.gateway.audit import AuditRecord
from privllm.serving.gateway.auth import Principal
from privllm.serving.gateway.config import GatewayConfig
from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.fields import TextField, chat_inputs
from privllm.serving.gateway.metrics import GatewayMetrics
from privllm.serving.gateway.pipeline import DocumentGuard, DocumentVerdict, GuardContext, GuardPipeline, RequestGuard, StreamFilter, StreamGuard
from privllm.serving.gateway.schema import Document


def context() -> GuardContext:
    config = GatewayConfig.model_validate({"upstreams": [{"name": "m", "url": "http://x.invalid"}]})
    principal = Principal("p", frozenset({"m"}), None, None, frozenset({"g"}), frozenset())
    return GuardContext(config, config.upstreams[0], principal, AuditRecord("r", "/v1/chat/completions", "POST"), GatewayMetrics())


class Upper(RequestGuard):
    guard_id = "UPPER"

    def check_field(self, ctx, field: TextField):
        return field.text.upper()


class RefuseX(RequestGuard):
    guard_id = "NO-X"

    def check_field(self, ctx, field: TextField):
        if "X" in field.text:
            raise GatewayError(400, f"{field.name} has an X", "x", guard=self.guard_id)
        return None


def test_request_guards_run_in_order_on_every_field_and_rewrite_the_body():
    body = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": [{"type": "text", "text": "x"}]}]}
    with pytest.raises(GatewayError) as refused:
        asyncio.run(GuardPipeline(request=[Upper(), RefuseX()]).guard_inputs(context(), body, chat_inputs(body)))
    assert refused.value.message == "messages[1].content[0].text has an X"
    assert body["messages"][0]["content"] == "A"
    body = {"messages": [{"role": "user", "content": "x"}]}
    asyncio.run(GuardPipeline(request=[RefuseX(), Upper()]).guard_inputs(context(), body, chat_inputs(body)))
    assert body["messages"][0]["content"] == "X"  # refusal ran before the rewrite


class ExcludeOdd(DocumentGuard):
    guard_id = "ODD"

    def check_document(self, ctx, document, text):
        return DocumentVerdict(text, excluded="odd" if int(document.id) % 2 else None)


class Mark(DocumentGuard):
    guard_id = "MARK"

    def check_document(self, ctx, document, text):
        return DocumentVerdict(text + "!")


def test_excluded_documents_are_noted_and_the_rest_rewritten():
    ctx = context()
    docs = [Document(id=str(i), text=f"d{i}", acl=["g"]) for i in range(4)]
    kept = asyncio.run(GuardPipeline(documents=[ExcludeOdd(), Mark()]).guard_documents(ctx, docs))
    assert [(d.id, text) for d, text in kept] == [("0", "d0!"), ("2", "d2!")]
    assert ctx.notes_body() == {"guardrails": [
        {"guard": "ODD", "action": "exclude-document", "document": "1", "detail": "odd"},
        {"guard": "ODD", "action": "exclude-document", "document": "3", "detail": "odd"},
    ]}
    assert ctx.notes_header() == {"x-privllm-guardrails": "ODD:exclude-document"}


class Hold(StreamFilter):
    """Holds every piece until the end, to check that a later filter sees what it releases."""

    def __init__(self):
        self.held = []

    def feed(self, chunk):
        self.held.append(chunk)
        return []

    def end(self):
        return self.held


class Tag(StreamFilter):
    def feed(self, chunk):
        return [{**chunk, "tagged": True}]

    def end(self):
        return [{"last": True}]


class _Guard(StreamGuard):
    def __init__(self, make):
        self.make = make

    def open(self, ctx, template):
        return self.make()


def test_what_a_filter_releases_at_the_end_passes_the_later_filters():
    chain = GuardPipeline(stream=[_Guard(Hold), _Guard(Tag)]).open_stream(context(), {})
    assert chain.feed({"n": 1}) == []
    assert chain.end() == [{"n": 1, "tagged": True}, {"last": True}]


class OneCallClassifier(RequestGuard, DocumentGuard):
    """Like a model-based classifier: one awaited call sees every field (or document) at once."""

    guard_id = "CLASSIFIER"

    def __init__(self):
        self.calls: list[list[str]] = []

    async def check_fields(self, ctx, body, fields):
        await asyncio.sleep(0)
        self.calls.append([f.name for f in fields])

    async def check_documents(self, ctx, documents):
        self.calls.append([doc.id for doc, _ in documents])
        return [DocumentVerdict(text, excluded="scored high" if "bad" in text else None) for _, text in documents]


def test_a_guard_can_see_every_field_and_document_in_one_awaited_call():
    classifier = OneCallClassifier()
    pipeline = GuardPipeline(request=[Upper(), classifier], documents=[ExcludeOdd(), classifier])
    body = {"messages": [{"role": "user", "content": "a"}, {"role": "tool", "content": "b"}]}
    ctx = context()
    asyncio.run(pipeline.guard_inputs(ctx, body, chat_inputs(body)))
    kept = asyncio.run(pipeline.guard_documents(ctx, [Document(id="0", text="bad", acl=["g"]), Document(id="1", text="x", acl=["g"]), Document(id="2", text="ok", acl=["g"])]))
    # Fields in one call; documents in one call, only those the earlier guard kept.
    assert classifier.calls == [["messages[0].content", "messages[1].content"], ["0", "2"]]
    assert [d.id for d, _ in kept] == ["2"]
    assert [n.document for n in ctx.notes] == ["1", "0"]
