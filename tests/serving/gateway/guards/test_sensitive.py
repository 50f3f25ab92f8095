"""Sensitive-data detectors: the development corpus (values in context and look-alikes), near
misses, national formats, and the stream redactor (pieces of any size give the same text)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.guard_quality import load_set
from privllm.serving.gateway.config import ConfigError, load_config
from privllm.serving.gateway.guards.sensitive import StreamRedactor, find, redact

RECORDS = load_set("dev", "sensitive")
VALUES = [r for r in RECORDS if r.label != "lookalike"]
LOOKALIKES = [r for r in RECORDS if r.label == "lookalike"]


def streamed(text: str, cuts: list[int], regions=None) -> str:
    redactor = StreamRedactor(**({"regions": regions} if regions else {}))
    out, last = [], 0
    for cut in sorted(set(cuts)) + [len(text)]:
        out.append(redactor.feed(text[last:cut]))
        last = cut
    return "".join(out) + redactor.flush()


def test_dev_values_do_not_leak_plain_or_streamed(capsys):
    plain = [r for r in VALUES if r.value in redact(r.text)[0]]
    rnd = random.Random(7)
    stream = [r for r in VALUES for _ in range(3) if r.value in streamed(r.text, [rnd.randint(0, len(r.text)) for _ in range(rnd.randint(1, 30))])]
    wrong = [r.text for r in LOOKALIKES if redact(r.text)[0] != r.text]
    with capsys.disabled():
        print(f"\nsensitive (dev): {len(plain)}/{len(VALUES)} leaked plain, {len(stream)} streamed leaks in {3 * len(VALUES)} cuttings, "
              f"{len(wrong)}/{len(LOOKALIKES)} look-alikes redacted")
    assert not plain, [(r.label, r.value) for r in plain]
    assert not stream, [(r.label, r.value) for r in stream]
    assert not wrong, wrong


@pytest.mark.parametrize("record", VALUES, ids=lambda r: r.label)
def test_each_value_is_found_as_its_kind(record):
    redacted, kinds = redact(record.text)
    assert record.value not in redacted
    assert record.label in kinds, kinds


NEAR_MISSES = [
    "card 4111 1111 1111 1112 (fails Luhn)",
    "PAN ABCDE1234 is one letter short",
    "a 40-character run without a naming word: wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY1",
    "git sha 3f9a2c1b7e8d4f6a0b5c9d2e1f3a4b5c6d7e8f90",
    "upgrade to 1.2.3.4 tonight",
    "see logo@2x.png",
    "order number 4000123412341233 shipped",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_left_alone(text):
    assert find(text) == [], find(text)


def test_a_bare_aws_secret_is_redacted_next_to_a_word_that_names_it():
    secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    assert secret not in redact(f"the aws secret is {secret}")[0]
    assert redact(f"the checksum is {secret}")[0].endswith(secret)


@pytest.mark.parametrize(("kind", "text"), [
    ("phone", "555-123-4567"),  # a phone's shape, though 555 numbers are fictional
    ("phone", "+1 (555) 010-9999"),
    ("password", "pwd=Xy7!k2"),
    ("google_client_secret", "GOCSPX-abcdefghijklmnopqrstuvwxyz12"),
    ("databricks_token", "token dapi0123456789abcdef0123456789abcdef"),
    ("shopify_token", "shpat_0123456789abcdef0123456789abcdef"),
])
def test_formats_outside_the_corpus(kind, text):
    assert kind in redact(text)[1]


def test_national_phone_formats_follow_the_configured_regions():
    text = "London: 020 7946 0321"
    assert "020 7946 0321" not in redact(text)[0]
    assert find(text, regions=("US",)) == []  # not a US number, and GB is not configured


def test_an_unknown_phone_region_is_a_config_error_naming_the_field(tmp_path):
    path = tmp_path / "gateway.yaml"
    path.write_text("upstreams: [{name: m, url: 'http://u'}]\nguardrails: {pii_phone_regions: [GB, XX]}\n")
    with pytest.raises(ConfigError, match=r"guardrails\.pii_phone_regions.*XX"):
        load_config(path)


def test_ordinary_prose_is_released_at_every_word_break():
    redactor = StreamRedactor()
    for word in "Sure, here is a short summary of the report you sent me. ".split(" ")[:-1]:
        redactor.feed(word + " ")
        assert redactor.held == 0, word
    assert redactor.feed("Regards") == "" and redactor.held == len("Regards")  # could still become an address
    assert redactor.flush() == "Regards"


def test_a_private_key_block_is_held_whole_and_an_unterminated_one_is_redacted_at_flush():
    text = "key:\n-----BEGIN PRIVATE KEY-----\n" + "A" * 500 + "\n-----END PRIVATE KEY-----\ndone"
    redactor = StreamRedactor()
    out = "".join(redactor.feed(ch) for ch in text) + redactor.flush()
    assert "AAAA" not in out and out.endswith("done") and "[REDACTED:private_key]" in out
    cut_off = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA"
    assert "b3Blbn" not in streamed(cut_off, [10, 40]) and "b3Blbn" not in redact(cut_off)[0]


FRAGMENTS = [r.text for r in RECORDS] + [" ", "\n", ". ", "ok", "Sure, ", "call me at ", "-", "1234", "@", "key="]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4), data=st.data())
def test_streamed_output_equals_plain_redaction_for_any_cutting(parts, data):
    text = "".join(parts)
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=len(text)), max_size=25))
    assert streamed(text, cuts) == redact(text)[0]


@pytest.mark.parametrize("record", [r for r in VALUES if r.label in ("jwt", "private_key", "iban", "phone", "aws_secret_key")][:10], ids=lambda r: r.label)
def test_a_value_split_at_every_position_is_caught(record):
    for cut in range(1, len(record.text)):
        assert record.value not in streamed(record.text, [cut]), cut
