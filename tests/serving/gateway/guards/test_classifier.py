"""The model-based injection layer against the vLLM stand-in's classification endpoint (real HTTP)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from privllm.serving.gateway.guards.classifier import ClassifierUnavailable, InjectionClassifier, parse_response
from privllm.serving.vllm.standin import CLASSIFIER_MARKER, create_standin
from privllm.stack.gateway_config import GatewayConfig
from privllm.stack.gateway_config import InjectionClassifier as InjectionClassifierConfig
from tests.servers import ServerThread

MODEL = "prompt-guard-standin"


@pytest.fixture(scope="module")
def classifier_server():
    with ServerThread(create_standin(MODEL)) as server:
        yield server


@pytest.fixture(scope="module")
def slow_server():
    with ServerThread(create_standin(MODEL, delay=2.0)) as server:
        yield server


def run_check(url: str, texts: list[str], data_class: str, **overrides):
    config = InjectionClassifierConfig(url=url, model=overrides.pop("model", MODEL), **overrides)

    async def go():
        async with aiohttp.ClientSession() as session:
            return await InjectionClassifier(config, session).check(texts, data_class)

    return asyncio.run(go())


def test_flags_the_texts_the_model_labels_as_injection(classifier_server):
    outcome = run_check(classifier_server.url, ["what is the capital of France?", f"{CLASSIFIER_MARKER} do this instead"], "internal")
    assert outcome.unavailable is None
    assert outcome.flagged == (1,)
    assert outcome.labels[0].label == "SAFE" and outcome.labels[1].probability > 0.9
    assert "1:INJECTION=0.97" in outcome.detail


def test_a_threshold_above_the_models_confidence_lets_it_pass(classifier_server):
    outcome = run_check(classifier_server.url, [CLASSIFIER_MARKER], "internal", threshold=0.99)
    assert outcome.flagged == ()


@pytest.mark.parametrize(("data_class", "refused"), [("restricted", True), ("confidential", True), ("internal", False), ("public", False)])
def test_over_budget_the_data_class_decides(slow_server, data_class, refused):
    outcome = run_check(slow_server.url, ["hello"], data_class, budget_ms=50)
    assert outcome.unavailable and "within 50 ms" in outcome.unavailable
    assert outcome.refuse is refused
    assert ("refused" if refused else "passed") in outcome.detail


def test_an_unknown_model_is_unavailable_not_a_pass_for_restricted_data(classifier_server):
    outcome = run_check(classifier_server.url, ["hello"], "restricted", model="no-such-model")
    assert outcome.unavailable == "HTTP 404" and outcome.refuse


def test_nothing_listening_is_unavailable():
    outcome = run_check("http://127.0.0.1:9", ["hello"], "public")
    assert outcome.unavailable and not outcome.refuse


@pytest.mark.parametrize("body", [
    {"data": []},
    {"data": [{"index": 0, "label": "SAFE"}]},
    {"data": [{"index": 3, "label": "SAFE", "probs": [0.9, 0.1]}]},
    {"data": [{"index": 0, "label": "SAFE", "probs": ["x"]}]},
    ["not", "an", "object"],
])
def test_malformed_replies_are_rejected(body):
    with pytest.raises(ValueError):
        parse_response(body, 1)


def test_results_are_returned_in_input_order():
    body = {"data": [{"index": 1, "label": "INJECTION", "probs": [0.2, 0.8]}, {"index": 0, "label": "SAFE", "probs": [0.7, 0.3]}]}
    assert [label.label for label in parse_response(body, 2)] == ["SAFE", "INJECTION"]


def test_config_declares_the_classifier_with_its_fail_policy():
    config = GatewayConfig.model_validate({
        "upstreams": [{"name": "m", "url": "http://u"}],
        "guardrails": {"injection_classifier": {"url": "http://prompt-guard:8000", "model": "llama-prompt-guard-2-86m", "budget_ms": 80}},
    })
    classifier = config.guardrails.injection_classifier
    assert classifier is not None and classifier.fail_closed == ["confidential", "restricted"] and classifier.path == "/classify"


def test_classifier_unavailable_is_an_error_type():
    assert issubclass(ClassifierUnavailable, RuntimeError)

