"""Field extraction: every text of every shape is found and can be written back by its path."""

from __future__ import annotations

from privllm.serving.gateway.fields import answer_outputs, chat_inputs, chunk_outputs, completion_inputs, path_name, prompt_inputs, set_path


def test_chat_inputs_cover_every_shape_and_role():
    body = {"messages": [
        {"role": "system", "content": "sys"},
        {"role": "user", "name": "bob", "content": [{"type": "text", "text": "part"}, {"type": "image_url", "image_url": {"url": "x"}}]},
        {"role": "assistant", "content": "prev", "reasoning_content": "thought",
         "tool_calls": [{"id": "a", "type": "function", "function": {"name": "f", "arguments": "{\"x\": 1}"}}]},
        {"role": "tool", "tool_call_id": "a", "content": "result"},
        {"role": "assistant", "function_call": {"name": "g", "arguments": "{}"}},
    ]}
    found = {(f.name, f.role): f.text for f in chat_inputs(body)}
    assert found == {
        ("messages[0].content", "system"): "sys",
        ("messages[1].content[0].text", "user"): "part",
        ("messages[1].name", "user"): "bob",
        ("messages[2].content", "assistant"): "prev",
        ("messages[2].reasoning_content", "assistant"): "thought",
        ("messages[2].tool_calls[0].function.arguments", "assistant"): "{\"x\": 1}",
        ("messages[3].content", "tool"): "result",
        ("messages[4].function_call.arguments", "assistant"): "{}",
    }


def test_paths_write_back_into_the_body():
    body = {"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}]}]}
    (field,) = chat_inputs(body)
    set_path(body, field.path, "b")
    assert body["messages"][0]["content"][0]["text"] == "b"
    assert path_name(("input", 3)) == "input[3]"


def test_prompt_and_embeddings_inputs():
    assert [f.name for f in completion_inputs({"prompt": ["a", "", "c"], "suffix": "s"})] == ["prompt[0]", "prompt[2]", "suffix"]
    assert [f.name for f in prompt_inputs({"input": "one"}, "input")] == ["input"]


def test_answer_and_chunk_outputs():
    answer = {"choices": [
        {"index": 0, "message": {"content": "c", "reasoning": "r", "refusal": None, "tool_calls": [{"function": {"name": "f", "arguments": "a"}}]}},
        {"index": 1, "text": "legacy"},
    ]}
    assert [f.name for f in answer_outputs(answer)] == [
        "choices[0].message.content", "choices[0].message.reasoning", "choices[0].message.tool_calls[0].function.arguments", "choices[1].text",
    ]
    chunk = {"choices": [{"index": 2, "delta": {"content": "x", "tool_calls": [{"index": 5, "function": {"arguments": "y"}}]}}]}
    # A streamed tool call is keyed by its own index, not its position in this chunk.
    assert [key for key, _ in chunk_outputs(chunk)] == [(2, ("delta", "content")), (2, ("delta", "tool_calls", 5, "function", "arguments"))]


def test_fields_of_the_wrong_shape_carry_no_text_and_break_nothing():
    # Upstream answers are not validated: odd shapes must not crash the output guards.
    odd = {"choices": [5, {"message": {"tool_calls": 7, "content": ["x"]}}, {"delta": None, "text": 3}]}
    assert answer_outputs(odd) == [] and chunk_outputs({"choices": "abc"}) == []
    # A string where a list belongs is still text the model would receive.
    assert [f.name for f in chat_inputs({"messages": [None, {"role": "user", "content": 3, "tool_calls": "x"}]})] == ["messages[1].tool_calls"]


def test_strings_in_keys_not_known_yet_are_fields_too():
    body = {"messages": [{"role": "user", "tool_call_id": "t1", "content": [{"type": "text", "text": "a", "note": "b"}], "x_extra": "c"}]}
    assert sorted(f.name for f in chat_inputs(body)) == ["messages[0].content[0].note", "messages[0].content[0].text", "messages[0].x_extra"]
