"""Property-based: whatever JSON a model sends back, plain or streamed, the output guards
neither crash nor let a planted value through."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.serving.gateway.conftest import MODEL

SECRET = "AKIAIOSFODNN7EXAMPLE"

leaves = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8) | st.just(f"key {SECRET}")
json_values = st.recursive(leaves, lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(
    ["choices", "message", "delta", "content", "text", "tool_calls", "function", "arguments", "index", "logprobs", "tokens",
     "reasoning_content", "finish_reason", "refusal", "x"]), children, max_size=4), max_leaves=14)
answers = st.dictionaries(st.sampled_from(["choices", "id", "usage", "model"]), json_values, max_size=3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=answers, chunks=st.lists(answers, max_size=4))
def test_odd_answers_never_crash_the_output_guards(unit_gateway, answer, chunks):
    from tests.serving.gateway.fake_upstream import Script

    gw = unit_gateway(script=Script(answer=answer, chunks=chunks))
    request = {"model": MODEL, "messages": [{"role": "user", "content": "x"}], "logprobs": True}
    plain = gw.post("/v1/chat/completions", request)
    assert plain.status_code in (200, 502), plain.text
    streamed = gw.post("/v1/chat/completions", {**request, "stream": True})
    assert streamed.status_code == 200
    for r in (plain, streamed):
        assert not any(SECRET in text for text in _strings(r)), r.text


def _strings(response) -> list:
    """The text fields a client reads: message/delta texts, tool arguments, legacy text."""
    bodies = [response.json()] if not response.headers["content-type"].startswith("text/event-stream") else [
        json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: {")]
    out = []
    for body in bodies:
        for choice in body.get("choices") if isinstance(body.get("choices"), list) else []:
            if not isinstance(choice, dict):
                continue
            for holder in (choice.get("message"), choice.get("delta")):
                if isinstance(holder, dict):
                    out += [holder.get(k) for k in ("content", "reasoning_content", "refusal") if isinstance(holder.get(k), str)]
            if isinstance(choice.get("text"), str):
                out.append(choice["text"])
    return out
