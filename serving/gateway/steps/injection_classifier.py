"""The optional model-based injection layer (client: guards/classifier.py), after the
in-process detector: every input text of a request in one call, every retrieved document in
another, each within the configured latency budget. When the model cannot answer in time
the data class decides (guardrails.injection_classifier.fail_closed)."""

from __future__ import annotations

from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.fields import TextField
from privllm.serving.gateway.guards import classifier
from privllm.serving.gateway.pipeline import DocumentGuard, DocumentVerdict, GuardContext, RequestGuard
from privllm.serving.gateway.schema import Document
from privllm.serving.gateway.steps.prompt_injection import TRUSTED_ROLES

# Embedding inputs are never instructions to a generative model, and a batch can hold
# thousands of items; the in-process detector still names poisoned ones.
SKIPPED_ROUTES = frozenset({"/v1/embeddings"})


class InjectionClassifierGuard(RequestGuard, DocumentGuard):
    guard_id = classifier.GUARD_ID

    def __init__(self) -> None:
        self._client: classifier.InjectionClassifier | None = None

    def client(self, ctx: GuardContext) -> classifier.InjectionClassifier | None:
        config = ctx.config.guardrails.injection_classifier
        if config is None or ctx.http is None or ctx.record.route in SKIPPED_ROUTES:
            return None
        if self._client is None or self._client.config is not config:  # a reload brings a new config
            self._client = classifier.InjectionClassifier(config, ctx.http())
        return self._client

    def _unavailable(self, ctx: GuardContext, outcome: classifier.ClassifierOutcome) -> None:
        if not outcome.refuse:
            ctx.record.guard(self.guard_id, "pass-unavailable", outcome.detail)
            return
        ctx.record.guard(self.guard_id, "block", outcome.detail)
        raise GatewayError(
            503, f"the prompt-injection classifier did not answer ({outcome.unavailable}) and {ctx.upstream.data_classification} "
            "models refuse requests it has not checked; try again shortly", "injection_classifier_unavailable",
            headers={"Retry-After": "5"}, guard=self.guard_id,
        )

    async def check_fields(self, ctx: GuardContext, body: dict, fields: list[TextField]) -> None:
        client = self.client(ctx)
        checked = [f for f in fields if f.role not in TRUSTED_ROLES]
        if client is None or not checked:
            return
        outcome = await client.check([f.text for f in checked], ctx.upstream.data_classification)
        if outcome.unavailable:
            self._unavailable(ctx, outcome)
            return
        if not outcome.flagged:
            return
        if ctx.config.guardrails.prompt_injection == "flag":
            for i in outcome.flagged:
                ctx.note(self.guard_id, "flag", field=checked[i].name, detail=outcome.labels[i].label)
            return
        field = checked[outcome.flagged[0]]
        ctx.record.guard(self.guard_id, "block", f"{field.name}: {outcome.detail}")
        raise GatewayError(
            400, f"request refused by the prompt-injection classifier: {field.name} looks like an injection ({outcome.labels[outcome.flagged[0]].label})",
            "prompt_injection", param=field.name, guard=self.guard_id,
        )

    async def check_documents(self, ctx: GuardContext, documents: list[tuple[Document, str]]) -> list[DocumentVerdict]:
        client = self.client(ctx)
        if client is None:
            return [DocumentVerdict(text) for _, text in documents]
        outcome = await client.check([text for _, text in documents], ctx.upstream.data_classification)
        if outcome.unavailable:
            if outcome.refuse:
                return [DocumentVerdict(text, excluded=f"not checked: {outcome.detail}") for _, text in documents]
            ctx.record.guard(self.guard_id, "pass-unavailable", outcome.detail)
            return [DocumentVerdict(text) for _, text in documents]
        flag_only = ctx.config.guardrails.prompt_injection == "flag"
        verdicts = []
        for i, (doc, text) in enumerate(documents):
            if i not in outcome.flagged:
                verdicts.append(DocumentVerdict(text))
            elif flag_only:
                ctx.note(self.guard_id, "flag", document=doc.id, detail=outcome.labels[i].label)
                verdicts.append(DocumentVerdict(text))
            else:
                ctx.record.documents_dropped.append(doc.id)
                verdicts.append(DocumentVerdict(text, excluded=f"the injection classifier scored it {outcome.labels[i].label} ({outcome.labels[i].probability:.2f})"))
        return verdicts
