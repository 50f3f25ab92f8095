"""Every text field of a request, an answer or a stream chunk, addressed by its JSON path.

Guards see fields, not request shapes: a new shape (a content-part type, a new output
field) is added here once and every guard covers it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeGuard

Path = tuple[str | int, ...]

# Text an assistant message or delta can carry besides `content` (vLLM: reasoning_content;
# newer servers: reasoning; OpenAI: refusal).
ASSISTANT_TEXT_KEYS = ("content", "reasoning_content", "reasoning", "refusal")
# Strings that name things rather than say them: not scanned.
MESSAGE_IDENTIFIERS = frozenset({"role", "tool_call_id"})
PART_IDENTIFIERS = frozenset({"type"})


@dataclass
class TextField:
    path: Path
    text: str
    role: str | None = None  # the message's role, for chat inputs

    @property
    def name(self) -> str:
        return path_name(self.path)


def path_name(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def set_path(obj: Any, path: Path, value: Any) -> None:
    for part in path[:-1]:
        obj = obj[part]
    obj[path[-1]] = value


def _str(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value != ""


def as_list(value: Any) -> list:
    # Upstream answers are not validated: a field of the wrong shape carries no text to guard.
    return value if isinstance(value, list) else []


def _tool_calls(holder: dict, base: Path) -> Iterator[TextField]:
    for j, call in enumerate(as_list(holder.get("tool_calls"))):
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict) and _str(function.get("arguments")):
            yield TextField((*base, "tool_calls", j, "function", "arguments"), function["arguments"])
    function_call = holder.get("function_call")  # the pre-tools form, still accepted by servers
    if isinstance(function_call, dict) and _str(function_call.get("arguments")):
        yield TextField((*base, "function_call", "arguments"), function_call["arguments"])


def _strings(holder: dict, base: Path, skip: frozenset[str]) -> Iterator[TextField]:
    """Every string value of an object, except identifiers: text in a key this module does not
    know yet still reaches the model, so it is guarded too."""
    for key, value in holder.items():
        if key not in skip and _str(value):
            yield TextField((*base, key), value)


def chat_inputs(body: dict) -> list[TextField]:
    """Every message of every role: string content or every string of a text part, name,
    reasoning, tool calls, tool results, and any other string a message carries."""
    out: list[TextField] = []
    for i, message in enumerate(as_list(body.get("messages"))):
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        found = list(_strings(message, ("messages", i), MESSAGE_IDENTIFIERS))
        for j, part in enumerate(as_list(message.get("content"))):
            # Every part's own strings (a text part's text); media payloads sit one level down
            # (image_url.url, input_audio.data) and are not text.
            if isinstance(part, dict):
                found += _strings(part, ("messages", i, "content", j), PART_IDENTIFIERS)
        found += _tool_calls(message, ("messages", i))
        for field in found:
            field.role = role
        out += found
    return out


def prompt_inputs(body: dict, key: str) -> list[TextField]:
    """A legacy prompt or an embeddings input: one string or a list of strings."""
    value = body.get(key)
    if isinstance(value, str):
        return [TextField((key,), value)] if value else []
    return [TextField((key, i), v) for i, v in enumerate(as_list(value)) if _str(v)]


def completion_inputs(body: dict) -> list[TextField]:
    fields = prompt_inputs(body, "prompt")
    if _str(body.get("suffix")):
        fields.append(TextField(("suffix",), body["suffix"]))
    return fields


def _choice_fields(choice: dict, base: Path, holder_key: str) -> Iterator[TextField]:
    holder = choice.get(holder_key)
    if isinstance(holder, dict):
        for key in ASSISTANT_TEXT_KEYS:
            if _str(holder.get(key)):
                yield TextField((*base, holder_key, key), holder[key])
        yield from _tool_calls(holder, (*base, holder_key))
    if _str(choice.get("text")):
        yield TextField((*base, "text"), choice["text"])


def answer_outputs(answer: dict) -> list[TextField]:
    """Every text a completion carries to the client (logprobs are the logprobs guard's)."""
    out: list[TextField] = []
    for i, choice in enumerate(as_list(answer.get("choices"))):
        if isinstance(choice, dict):
            out += _choice_fields(choice, ("choices", i), "message")
    return out


def chunk_outputs(chunk: dict) -> list[tuple[tuple[int, Path], TextField]]:
    """The text pieces of one stream chunk, each with the key of the stream it continues:
    (choice index, field path inside the choice), tool calls by their own index."""
    out = []
    for i, choice in enumerate(as_list(chunk.get("choices"))):
        if not isinstance(choice, dict):
            continue
        index = choice.get("index", i)
        for field in _choice_fields(choice, ("choices", i), "delta"):
            relative = field.path[2:]
            if relative[:2] == ("delta", "tool_calls"):
                call = choice["delta"]["tool_calls"][relative[2]]
                relative = ("delta", "tool_calls", call.get("index", relative[2]), *relative[3:])
            out.append(((index, relative), field))
    return out
