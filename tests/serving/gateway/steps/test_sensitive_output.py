"""The streamed output guard on an injected character schedule (no wall clock): how long it
holds the first token back, and that values split anywhere are still caught."""

from __future__ import annotations

import pytest

from privllm.serving.gateway.guards import sensitive
from privllm.serving.gateway.steps.sensitive_output import SensitiveOutputGuard
from tests.serving.gateway.test_pipeline import context

CHARS_PER_SECOND = 80  # a model streaming about 20 tokens per second
TTFT_BUDGET_SECONDS = 0.050

# How answers typically open; the first word is what a redactor may have to hold.
OPENINGS = [
    "Sure! Here is the summary you asked for: the meeting moved to Friday.",
    "The answer is 42, as the table shows.",
    "I can help with that. First, open the settings page.",
    "Yes.",
    "Here are three options to consider.",
    "To reset your password, open the account page.",
    "Certainly. The report shows a rise in costs.",
    "No, that is not allowed by the policy.",
]


def stream(pieces: list[str]) -> list[str]:
    """The text released after each piece is fed, then what the end released."""
    chunk_filter = SensitiveOutputGuard().open(context(), {"object": "chat.completion.chunk"})
    released = []
    for piece in pieces:
        (out,) = chunk_filter.feed({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
        released.append(out["choices"][0]["delta"].get("content") or "")
    released.append("".join((c["choices"][0]["delta"].get("content") or "") for c in chunk_filter.end()))
    return released


def first_token_wait(text: str) -> float:
    """Seconds the first character waits in the guard when characters arrive one by one at
    CHARS_PER_SECOND (the finest schedule a server can send): the characters that arrived
    after it before anything was released."""
    released = stream(list(text))
    assert "".join(released) == text
    first = next(i for i, out in enumerate(released) if out)
    return min(first, len(text) - 1) / CHARS_PER_SECOND


def test_added_time_to_first_token_is_under_50ms_at_80_chars_per_second():
    waits = sorted(first_token_wait(t) for t in OPENINGS)
    median = waits[len(waits) // 2]
    assert median < TTFT_BUDGET_SECONDS, f"median first-token wait {median * 1000:.0f} ms; all (ms): {[round(w * 1000) for w in waits]}"


def test_ordinary_text_is_held_back_at_most_a_word():
    text = OPENINGS[0]
    released = stream(list(text))
    longest_word = max(len(w) for w in text.split())
    for received in range(1, len(text) + 1):
        assert received - len("".join(released[:received])) <= longest_word + 1


VALUES = ["jane.doe@corp.example", "AKIAIOSFODNN7EXAMPLE", "4111 1111 1111 1111", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"]


@pytest.mark.parametrize("value", VALUES)
def test_a_value_split_at_any_point_is_redacted_as_in_a_plain_answer(value):
    text = f"Send it to {value} please."
    expected, _ = sensitive.redact(text)
    assert value not in expected
    for cut in range(1, len(text)):
        assert "".join(stream([text[:cut], text[cut:]])) == expected, f"split at {cut}"
