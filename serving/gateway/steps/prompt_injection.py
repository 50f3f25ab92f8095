"""Prompt injection in any input field or retrieved document (detector: guards/injection.py)."""

from __future__ import annotations

from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.fields import TextField
from privllm.serving.gateway.guards import injection
from privllm.serving.gateway.pipeline import DocumentGuard, DocumentVerdict, GuardContext, RequestGuard
from privllm.serving.gateway.schema import Document

# The application's own instructions: they legitimately say "never reveal your instructions",
# which reads like an extraction attempt. Routes with a fixed system prompt refuse them anyway.
TRUSTED_ROLES = frozenset({"system", "developer"})
# Text that comes from outside the conversation (a tool's result), judged as data like a document.
DATA_ROLES = frozenset({"tool"})


class PromptInjectionGuard(RequestGuard, DocumentGuard):
    guard_id = injection.GUARD_ID

    def check_field(self, ctx: GuardContext, field: TextField) -> str | None:
        if field.role in TRUSTED_ROLES:
            return None
        verdict = injection.inspect(field.text, source="document" if field.role in DATA_ROLES else "prompt")
        if not verdict.detected:
            return None
        if ctx.config.guardrails.prompt_injection == "flag":
            ctx.note(self.guard_id, "flag", field=field.name, detail=verdict.detail)
            return None
        ctx.record.guard(self.guard_id, "block", f"{field.name}: {verdict.detail}")
        raise GatewayError(
            400, f"request refused by the prompt-injection guard: {field.name} looks like an injection ({verdict.detail})",
            "prompt_injection", param=field.name, guard=self.guard_id,
        )

    def check_document(self, ctx: GuardContext, document: Document, text: str) -> DocumentVerdict:
        verdict = injection.inspect(text, source="document")
        if not verdict.detected:
            return DocumentVerdict(text)
        if ctx.config.guardrails.prompt_injection == "flag":
            ctx.note(self.guard_id, "flag", document=document.id, detail=verdict.detail)
            return DocumentVerdict(text)
        ctx.record.documents_dropped.append(document.id)
        return DocumentVerdict(text, excluded=f"instructions addressed to the model ({verdict.detail})")
