"""Every output field guarded, with the same result plain and streamed, however the stream ends."""

from __future__ import annotations

import json

import pytest

from tests.serving.gateway.conftest import MODEL
from tests.serving.gateway.fake_upstream import Script

SECRETS = {
    "email": "jane.doe@corp.example",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "card": "4111 1111 1111 1111",
}
TEXT = f"Contact {SECRETS['email']} with key {SECRETS['aws']} and card {SECRETS['card']} today."
ARGS = json.dumps({"to": SECRETS["email"], "note": f"key {SECRETS['aws']}"})


def chat_answer(field: str) -> dict:
    message: dict = {"role": "assistant", "content": "ok"}
    if field == "tool_calls":
        message["tool_calls"] = [{"id": "call_1", "type": "function", "function": {"name": "send", "arguments": ARGS}}]
    else:
        message[field] = TEXT
    return {"id": "c1", "object": "chat.completion", "created": 1, "model": MODEL, "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}


def pieces(text: str, size: int = 5) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def chat_chunks(answer: dict, finish: bool = True) -> list[dict]:
    """The answer as an upstream would stream it: small pieces, values split across chunks."""
    base = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": MODEL}
    message = answer["choices"][0]["message"]
    out = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}]
    for key in ("content", "reasoning_content", "reasoning", "refusal"):
        for piece in pieces(message.get(key) or ""):
            out.append({**base, "choices": [{"index": 0, "delta": {key: piece}, "finish_reason": None}]})
    for j, call in enumerate(message.get("tool_calls") or []):
        out.append({**base, "choices": [{"index": 0, "delta": {"tool_calls": [{"index": j, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"], "arguments": ""}}]}, "finish_reason": None}]})
        for piece in pieces(call["function"]["arguments"]):
            out.append({**base, "choices": [{"index": 0, "delta": {"tool_calls": [{"index": j, "function": {"arguments": piece}}]}, "finish_reason": None}]})
    if finish:
        out.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    return out


def streamed_fields(text: str) -> tuple[dict[str, str], list[dict]]:
    """Concatenated text per field of choice 0, and the privllm notes, from an SSE body."""
    fields: dict[str, str] = {}
    notes: list[dict] = []
    for line in text.splitlines():
        if not line.startswith("data: {"):
            continue
        chunk = json.loads(line[6:])
        notes += (chunk.get("privllm") or {}).get("guardrails", [])
        for choice in chunk.get("choices", []):  # the error event of an incomplete stream has none
            delta = choice.get("delta") or {}
            for key in ("content", "reasoning_content", "reasoning", "refusal"):
                if delta.get(key):
                    fields[key] = fields.get(key, "") + delta[key]
            if choice.get("text"):
                fields["text"] = fields.get("text", "") + choice["text"]
            for call in delta.get("tool_calls") or []:
                key = f"tool_calls[{call['index']}]"
                fields[key] = fields.get(key, "") + ((call.get("function") or {}).get("arguments") or "")
    return fields, notes


def plain_fields(answer: dict) -> dict[str, str]:
    choice = answer["choices"][0]
    if "text" in choice:
        return {"text": choice["text"]}
    message = choice["message"]
    out = {k: message[k] for k in ("content", "reasoning_content", "reasoning", "refusal") if message.get(k)}
    out.update({f"tool_calls[{j}]": c["function"]["arguments"] for j, c in enumerate(message.get("tool_calls") or [])})
    return out


@pytest.mark.parametrize("ending", ["finish_reason", "done_only", "eof"])
@pytest.mark.parametrize("field", ["content", "reasoning_content", "reasoning", "refusal", "tool_calls"])
def test_every_chat_output_field_is_redacted_alike_plain_and_streamed(unit_gateway, field, ending):
    answer = chat_answer(field)
    chunks = chat_chunks(answer, finish=ending == "finish_reason")
    gw = unit_gateway(script=Script(answer=answer, chunks=chunks, ending="eof" if ending == "eof" else "done"))
    request = {"model": MODEL, "messages": [{"role": "user", "content": "write it"}]}
    plain = gw.post("/v1/chat/completions", request)
    streamed = gw.post("/v1/chat/completions", {**request, "stream": True})
    assert plain.status_code == streamed.status_code == 200
    expected = plain_fields(plain.json())
    got, notes = streamed_fields(streamed.text)
    assert got == expected
    for value in SECRETS.values():
        assert value not in plain.text and value not in streamed.text
    assert "[REDACTED:" in json.dumps(expected)
    plain_notes = plain.json()["privllm"]["guardrails"]
    assert sorted(map(json.dumps, notes)) == sorted(map(json.dumps, plain_notes))
    assert all(n["guard"] == "PLLM-G-PII-OUT" for n in notes)
    # Every stream ends with [DONE]; one the upstream ended early says so in an error event first.
    assert streamed.text.rstrip().endswith("data: [DONE]")
    assert ('"code": "upstream_incomplete"' in streamed.text) == (ending == "eof")


@pytest.mark.parametrize("ending", ["done", "eof"])
def test_legacy_text_is_redacted_alike_plain_and_streamed(unit_gateway, ending):
    answer = {"id": "c1", "object": "text_completion", "created": 1, "model": MODEL, "choices": [{"index": 0, "text": TEXT, "finish_reason": "stop"}]}
    base = {"id": "c1", "object": "text_completion", "created": 1, "model": MODEL}
    chunks = [{**base, "choices": [{"index": 0, "text": p, "finish_reason": None}]} for p in pieces(TEXT, 3)]
    gw = unit_gateway(script=Script(answer=answer, chunks=chunks, ending=ending))
    plain = gw.post("/v1/completions", {"model": MODEL, "prompt": "x"})
    streamed = gw.post("/v1/completions", {"model": MODEL, "prompt": "x", "stream": True})
    assert streamed_fields(streamed.text)[0] == plain_fields(plain.json())
    assert "[REDACTED:email]" in plain.json()["choices"][0]["text"]


def logprob_entries(tokens: list[str]) -> list[dict]:
    return [{"token": t, "logprob": -0.1, "bytes": list(t.encode()), "top_logprobs": [{"token": t, "logprob": -0.1, "bytes": list(t.encode())}]} for t in tokens]


@pytest.mark.parametrize("sensitive", [True, False])
def test_logprobs_are_dropped_alike_plain_and_streamed_when_tokens_carry_a_value(unit_gateway, sensitive):
    text = f"mail {SECRETS['email']} now" if sensitive else "nothing to see here"
    tokens = pieces(text, 4)
    answer = {"id": "c1", "object": "chat.completion", "created": 1, "model": MODEL,
              "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "logprobs": {"content": logprob_entries(tokens)}, "finish_reason": "stop"}]}
    base = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": MODEL}
    chunks = [{**base, "choices": [{"index": 0, "delta": {"content": t}, "logprobs": {"content": logprob_entries([t])}, "finish_reason": None}]} for t in tokens]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    gw = unit_gateway(script=Script(answer=answer, chunks=chunks))
    request = {"model": MODEL, "messages": [{"role": "user", "content": "x"}], "logprobs": True, "top_logprobs": 1}
    plain = gw.post("/v1/chat/completions", request).json()
    streamed = gw.post("/v1/chat/completions", {**request, "stream": True}).text
    released = [json.loads(line[6:]) for line in streamed.splitlines() if line.startswith("data: {")]
    streamed_logprobs = [e for c in released for ch in c["choices"] if ch.get("logprobs") for e in ch["logprobs"]["content"]]
    if sensitive:
        assert plain["choices"][0]["logprobs"] is None and streamed_logprobs == []
        assert SECRETS["email"] not in streamed and SECRETS["email"] not in json.dumps(plain)
        assert any(n["guard"] == "PLLM-G-LOGPROBS" and n["action"] == "drop" for n in plain["privllm"]["guardrails"])
    else:
        assert plain["choices"][0]["logprobs"]["content"] == streamed_logprobs == logprob_entries(tokens)


@pytest.mark.parametrize("classification", ["confidential", "restricted"])
def test_logprobs_are_refused_where_token_alternatives_could_leak(unit_gateway, classification):
    gw = unit_gateway(data_classification=classification)
    r = gw.post("/v1/chat/completions", {"model": MODEL, "messages": [{"role": "user", "content": "x"}], "top_logprobs": 3})
    assert r.status_code == 400 and r.json()["error"]["code"] == "logprobs_not_allowed" and r.json()["error"]["param"] == "top_logprobs"
    assert gw.post("/v1/completions", {"model": MODEL, "prompt": "x", "logprobs": 2}).json()["error"]["param"] == "logprobs"


def test_blocking_policy_withholds_a_streamed_answer_before_any_byte(unit_gateway):
    answer = chat_answer("content")
    gw = unit_gateway({"guardrails": {"pii_output": "block"}}, script=Script(answer=answer, chunks=chat_chunks(answer)))
    r = gw.post("/v1/chat/completions", {"model": MODEL, "messages": [{"role": "user", "content": "x"}], "stream": True})
    assert r.status_code == 502 and r.json()["error"]["code"] == "sensitive_output"
    assert gw.sent()["stream"] is False


def test_legacy_logprobs_are_judged_on_their_tokens_plain_and_streamed(unit_gateway):
    text = f"mail {SECRETS['email']} now"
    tokens = pieces(text, 4)
    legacy = {"tokens": tokens, "token_logprobs": [-0.1] * len(tokens), "top_logprobs": [{t: -0.1} for t in tokens], "text_offset": list(range(0, len(text), 4))}
    answer = {"id": "c1", "object": "text_completion", "created": 1, "model": MODEL, "choices": [{"index": 0, "text": text, "logprobs": legacy, "finish_reason": "stop"}]}
    base = {"id": "c1", "object": "text_completion", "created": 1, "model": MODEL}
    chunks = [{**base, "choices": [{"index": 0, "text": t, "logprobs": {"tokens": [t], "token_logprobs": [-0.1], "top_logprobs": [{t: -0.1}], "text_offset": [4 * i]}, "finish_reason": None}]} for i, t in enumerate(tokens)]
    gw = unit_gateway(script=Script(answer=answer, chunks=chunks, ending="eof"))
    plain = gw.post("/v1/completions", {"model": MODEL, "prompt": "x", "logprobs": 1}).json()
    streamed = gw.post("/v1/completions", {"model": MODEL, "prompt": "x", "logprobs": 1, "stream": True}).text
    assert plain["choices"][0]["logprobs"] is None
    assert SECRETS["email"] not in streamed and '"tokens"' not in streamed
    assert any(n["guard"] == "PLLM-G-LOGPROBS" for n in streamed_fields(streamed)[1])


@pytest.mark.parametrize(("value", "streamed"), [("false", False), ("true", True), (0, False)])
def test_stream_flag_is_read_as_validated_and_forwarded_as_a_boolean(unit_gateway, value, streamed):
    gw = unit_gateway()
    r = gw.post("/v1/chat/completions", {"model": MODEL, "messages": [{"role": "user", "content": "x"}], "stream": value})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream") == streamed
    assert gw.sent()["stream"] is streamed
