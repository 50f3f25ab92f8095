"""Property-based: however a client nests its messages, a value a restricted model may not
receive never reaches it, and the gateway answers 2xx or 4xx."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.serving.gateway.conftest import MODEL

SSN = "123-45-6789"
texts = st.sampled_from(["hello", "", f"ssn {SSN}", "plain words"])
part = st.fixed_dictionaries({"type": st.sampled_from(["text", "input_text", "image_url", "refusal"]), "text": texts}, optional={"refusal": texts})
call = st.fixed_dictionaries({"id": st.just("c1"), "type": st.just("function"), "function": st.fixed_dictionaries({"name": st.just("f"), "arguments": texts})})
message = st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "developer", "user", "assistant", "tool"]), "content": st.one_of(texts, st.lists(part, min_size=1, max_size=3))},
    optional={"name": st.sampled_from(["bob", f"id {SSN}"]), "tool_calls": st.lists(call, min_size=1, max_size=2), "reasoning_content": texts, "x_future_field": texts},
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messages=st.lists(message, min_size=1, max_size=4))
def test_a_restricted_model_never_receives_the_value(unit_gateway, messages):
    gw = unit_gateway(data_classification="restricted")
    r = gw.post("/v1/chat/completions", {"model": MODEL, "messages": messages})
    assert r.status_code < 500, r.text
    assert all(SSN not in json.dumps(sent) for _, sent in gw.upstreams.sent)
    # Refused (naming the field), never silently accepted, whenever some field carries it.
    assert (r.status_code == 400) == (SSN in json.dumps(messages)), r.text
