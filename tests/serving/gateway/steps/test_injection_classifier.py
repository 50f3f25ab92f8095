"""The model-based injection step in the gateway, against the vLLM stand-in's classification
endpoint (real HTTP): fields and documents in one call each, the fail policy per data class."""

from __future__ import annotations

import pytest

from privllm.serving.vllm.standin import CLASSIFIER_MARKER, create_standin
from tests.servers import ServerThread, free_port
from tests.serving.gateway.conftest import MODEL

CLASSIFIER = "prompt-guard-standin"


@pytest.fixture(scope="module")
def classifier_url():
    with ServerThread(create_standin(CLASSIFIER)) as server:
        yield server.url


def guardrails(url: str, **extra) -> dict:
    return {"guardrails": {"injection_classifier": {"url": url, "model": CLASSIFIER, "budget_ms": 2000}, **extra}}


def chat(*messages, **extra) -> dict:
    return {"model": MODEL, "messages": list(messages), **extra}


def test_a_field_the_model_calls_an_injection_is_refused_naming_it(unit_gateway, classifier_url):
    gw = unit_gateway(guardrails(classifier_url))
    r = gw.post("/v1/chat/completions", chat(
        {"role": "user", "content": "what did the tool say?"},
        {"role": "tool", "tool_call_id": "a", "content": f"weather: sunny {CLASSIFIER_MARKER}"},
    ))
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert (error["code"], error["param"]) == ("prompt_injection", "messages[1].content") and "classifier" in error["message"]
    assert gw.audit()[-1]["privllm.guards"][0].startswith("PLLM-G-INJECTION-MODEL:block")
    assert gw.upstreams.sent == []


def test_clean_requests_pass_and_flag_mode_only_notes(unit_gateway, classifier_url):
    assert unit_gateway(guardrails(classifier_url)).post("/v1/chat/completions", chat({"role": "user", "content": "hello"})).status_code == 200
    gw = unit_gateway(guardrails(classifier_url, prompt_injection="flag"))
    r = gw.post("/v1/chat/completions", chat({"role": "user", "content": f"hello {CLASSIFIER_MARKER}"}))
    assert r.status_code == 200
    assert r.json()["privllm"]["guardrails"] == [{"guard": "PLLM-G-INJECTION-MODEL", "action": "flag", "field": "messages[0].content", "detail": "INJECTION"}]


def test_a_document_the_model_calls_an_injection_is_excluded_and_reported(unit_gateway, classifier_url):
    gw = unit_gateway(guardrails(classifier_url))
    docs = [{"id": "ok", "text": "minutes of the meeting", "acl": ["finance"]}, {"id": "bad", "text": f"table row {CLASSIFIER_MARKER}", "acl": ["finance"]}]
    r = gw.post("/v1/chat/completions", chat({"role": "user", "content": "summarise"}, documents=docs))
    assert r.status_code == 200
    (note,) = r.json()["privllm"]["guardrails"]
    assert (note["document"], note["guard"], note["action"]) == ("bad", "PLLM-G-INJECTION-MODEL", "exclude-document")
    assert "minutes of the meeting" in str(gw.sent()) and CLASSIFIER_MARKER not in str(gw.sent())


@pytest.mark.parametrize(("classification", "status"), [("restricted", 503), ("confidential", 503), ("internal", 200), ("public", 200)])
def test_an_unreachable_classifier_fails_closed_or_open_by_data_class(unit_gateway, classification, status):
    gw = unit_gateway(guardrails(f"http://127.0.0.1:{free_port()}"), data_classification=classification)
    r = gw.post("/v1/chat/completions", chat({"role": "user", "content": "hello"}))
    assert r.status_code == status, r.text
    guards = gw.audit()[-1]["privllm.guards"]
    if status == 503:
        assert r.json()["error"]["code"] == "injection_classifier_unavailable" and r.headers["Retry-After"]
        assert guards[0].startswith("PLLM-G-INJECTION-MODEL:block")
    else:
        assert guards[0].startswith("PLLM-G-INJECTION-MODEL:pass-unavailable")


def test_embeddings_items_are_left_to_the_in_process_detector(unit_gateway, classifier_url):
    gw = unit_gateway(guardrails(classifier_url))
    r = gw.post("/v1/embeddings", {"model": MODEL, "input": ["a", f"b {CLASSIFIER_MARKER}"]})
    assert r.status_code == 200 and [d["index"] for d in r.json()["data"]] == [0, 1]
