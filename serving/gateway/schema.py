"""Request bodies the gateway accepts, validated before anything else runs.

Unknown fields are passed through to vLLM (the OpenAI API grows), but every field the
gateway reasons about is typed and bounded. Errors name the field.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from privllm.serving.gateway import jsondepth
from privllm.serving.gateway.errors import GatewayError

Text = Annotated[str, Field(max_length=2_000_000)]


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: Text | None = None


class FunctionCall(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: Annotated[str, Field(max_length=256)] | None = None
    arguments: Text | None = None


class ToolCall(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: Annotated[str, Field(max_length=256)] | None = None
    type: Annotated[str, Field(max_length=64)] | None = None
    function: FunctionCall


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: Text | list[ContentPart] | None = None
    name: Annotated[str, Field(max_length=256)] | None = None
    # Typed so that every text a guard reads is a string where the guard looks for it.
    tool_calls: Annotated[list[ToolCall], Field(max_length=128)] | None = None
    function_call: FunctionCall | None = None
    reasoning_content: Text | None = None
    reasoning: Text | None = None
    refusal: Text | None = None

    @model_validator(mode="after")
    def _has_content(self) -> Message:
        # As in the OpenAI API: only an assistant message that calls a tool may omit its content.
        if self.content is None and not (self.role == "assistant" and (self.tool_calls or self.function_call)):
            raise ValueError(f"a {self.role} message needs content" + (" or tool_calls" if self.role == "assistant" else ""))
        return self

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        if isinstance(self.content, list):
            return "\n".join(p.text or "" for p in self.content)
        return ""


class Document(BaseModel):
    """A retrieved document with its access list (RAG)."""

    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, Field(min_length=1, max_length=512)]
    text: Text
    acl: list[Annotated[str, Field(max_length=256)]] | None = None


class _Common(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: Annotated[str, Field(min_length=1, max_length=256)]
    max_tokens: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    max_completion_tokens: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    top_p: Annotated[float, Field(gt=0, le=1)] | None = None
    n: Annotated[int, Field(ge=1, le=8)] | None = None
    stream: bool | None = None
    user: Annotated[str, Field(max_length=256)] | None = None

    def requested_tokens(self, default: int) -> int:
        return (self.max_completion_tokens or self.max_tokens or default) * (self.n or 1)


class ChatRequest(_Common):
    messages: Annotated[list[Message], Field(min_length=1, max_length=2048)]
    documents: list[Document] | None = None

    def prompt_text(self) -> str:
        return "\n".join(m.text() for m in self.messages)


class CompletionRequest(_Common):
    prompt: Text | list[Text]

    def prompt_text(self) -> str:
        return self.prompt if isinstance(self.prompt, str) else "\n".join(self.prompt)


class EmbeddingRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: Annotated[str, Field(min_length=1, max_length=256)]
    input: Text | Annotated[list[Text], Field(min_length=1, max_length=2048)]

    def prompt_text(self) -> str:
        return self.input if isinstance(self.input, str) else "\n".join(self.input)

    def requested_tokens(self, default: int) -> int:
        return 0


# The bodies of the model routes; each names its model and what it may cost in tokens.
ApiRequest = ChatRequest | CompletionRequest | EmbeddingRequest
RequestT = TypeVar("RequestT", bound=BaseModel)


def parse(model: type[RequestT], raw: bytes) -> tuple[RequestT, dict]:
    """Validated request and the original JSON object (forwarded with the gateway's changes)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GatewayError(400, f"body is not valid UTF-8 (byte {exc.start})", "invalid_encoding") from None
    try:
        body: Any = jsondepth.loads(text)
    except jsondepth.TooDeep as exc:
        raise GatewayError(400, f"body is not accepted: {exc}", "json_too_deep") from None
    except json.JSONDecodeError as exc:
        raise GatewayError(400, f"body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", "invalid_json") from None
    if not isinstance(body, dict):
        raise GatewayError(400, "body must be a JSON object", "invalid_request")
    try:
        return model.model_validate(body), body
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        param = ".".join(str(p) for p in first["loc"])
        raise GatewayError(400, f"{param}: {first['msg']}", "invalid_request", param=param) from None
