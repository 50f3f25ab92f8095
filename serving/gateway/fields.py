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
# Content-part types whose `text` reaches the model as text.
TEXT_PART_TYPES = ("text", "input_text", "output_text", "refusal")


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


def chat_inputs(body: dict) -> list[TextField]:
    """Every message of every role: string or content parts, name, tool calls, tool results."""
    out: list[TextField] = []
    for i, message in enumerate(as_list(body.get("messages"))):
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        content = message.get("content")
        if _str(content):
            out.append(TextField(("messages", i, "content"), content, role))
        elif isinstance(content, list):
            for j, part in enumerate(content):
                if isinstance(part, dict) and part.get("type") in TEXT_PART_TYPES:
                    key = "refusal" if part.get("type") == "refusal" else "text"
                    if _str(part.get(key)):
                        out.append(TextField(("messages", i, "content", j, key), part[key], role))
        for key in ("name", "reasoning_content", "reasoning", "refusal"):
            if _str(message.get(key)):
                out.append(TextField(("messages", i, key), message[key], role))
        for field in _tool_calls(message, ("messages", i)):
            field.role = role
            out.append(field)
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
