"""The gateway's guard steps, one module each, and the order they run in."""

from __future__ import annotations

from privllm.serving.gateway.pipeline import GuardPipeline
from privllm.serving.gateway.steps.document_acl import DocumentAclGuard
from privllm.serving.gateway.steps.injection_classifier import InjectionClassifierGuard
from privllm.serving.gateway.steps.logprobs import LogprobsGuard
from privllm.serving.gateway.steps.prompt_injection import PromptInjectionGuard
from privllm.serving.gateway.steps.sensitive_input import SensitiveInputGuard
from privllm.serving.gateway.steps.sensitive_output import SensitiveOutputGuard


def default_pipeline() -> GuardPipeline:
    injection, sensitive_in, sensitive_out, logprobs = PromptInjectionGuard(), SensitiveInputGuard(), SensitiveOutputGuard(), LogprobsGuard()
    # Off unless guardrails.injection_classifier is configured; after the in-process detector,
    # so the model is asked only about what that let through.
    classifier = InjectionClassifierGuard()
    return GuardPipeline(
        # Parameters first (cheap), then injection before redaction: redaction must not hide an attack.
        request=[logprobs, injection, classifier, sensitive_in],
        # Access first: a document the caller may not read is never inspected further.
        documents=[DocumentAclGuard(), injection, classifier, sensitive_in],
        response=[sensitive_out, logprobs],
        stream=[sensitive_out, logprobs],
    )
