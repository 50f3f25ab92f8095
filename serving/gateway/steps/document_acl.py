"""Retrieved documents reach the prompt only when the caller's groups may read them."""

from __future__ import annotations

from privllm.serving.gateway.guards import rag
from privllm.serving.gateway.pipeline import DocumentGuard, DocumentVerdict, GuardContext
from privllm.serving.gateway.schema import Document


class DocumentAclGuard(DocumentGuard):
    guard_id = rag.GUARD_ID

    def check_document(self, ctx: GuardContext, document: Document, text: str) -> DocumentVerdict:
        if rag.readable(document.acl, ctx.principal.groups):
            return DocumentVerdict(text)
        ctx.record.documents_dropped.append(document.id)
        return DocumentVerdict(text, excluded="no access-list group of the caller may read it")
