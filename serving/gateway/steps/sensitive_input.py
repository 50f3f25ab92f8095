"""Sensitive data in any input field or document, by the model's data classification:
allow, redact, or block (detector: guards/sensitive.py)."""

from __future__ import annotations

from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.fields import TextField
from privllm.serving.gateway.guards import sensitive
from privllm.serving.gateway.pipeline import DocumentGuard, DocumentVerdict, GuardContext, RequestGuard
from privllm.serving.gateway.schema import Document


def _action(ctx: GuardContext) -> str:
    return ctx.config.guardrails.pii_input.get(ctx.upstream.data_classification, "block")


def _kinds(found: list[str]) -> str:
    return ",".join(sorted(set(found)))


class SensitiveInputGuard(RequestGuard, DocumentGuard):
    guard_id = sensitive.GUARD_INPUT

    def check_field(self, ctx: GuardContext, field: TextField) -> str | None:
        action = _action(ctx)
        if action == "allow":
            return None
        redacted, found = sensitive.redact(field.text, ctx.phone_regions)
        if not found:
            return None
        if action == "block":
            ctx.record.guard(self.guard_id, "block", f"{field.name}: {_kinds(found)}")
            raise GatewayError(
                400, f"{field.name} contains sensitive data ({_kinds(found).replace(',', ', ')}) that a "
                f"{ctx.upstream.data_classification} model may not receive", "sensitive_input", param=field.name, guard=self.guard_id,
            )
        ctx.note(self.guard_id, "redact", field=field.name, detail=_kinds(found), count=len(found))
        return redacted

    def check_document(self, ctx: GuardContext, document: Document, text: str) -> DocumentVerdict:
        action = _action(ctx)
        if action == "allow":
            return DocumentVerdict(text)
        redacted, found = sensitive.redact(text, ctx.phone_regions)
        if not found:
            return DocumentVerdict(text)
        if action == "block":
            ctx.record.documents_dropped.append(document.id)
            return DocumentVerdict(text, excluded=f"sensitive data ({_kinds(found)}) a {ctx.upstream.data_classification} model may not receive")
        ctx.note(self.guard_id, "redact", document=document.id, detail=_kinds(found), count=len(found))
        return DocumentVerdict(redacted)
