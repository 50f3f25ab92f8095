"""Sensitive-data detectors: true positives, near misses, and values split across stream chunks."""

from __future__ import annotations

import pytest

from serving.gateway.guards.sensitive import StreamRedactor, find, redact

POSITIVES = {
    "email": "write to jane.doe+hr@corp.example.com please",
    "payment_card": "card 4111-1111-1111-1111 expires soon",
    "us_ssn": "SSN 123-45-6789 on file",
    "iban": "pay to GB82 WEST 1234 5698 7654 32 today",
    "ipv4": "server at 10.20.30.40 is down",
    "ipv6": "host 2001:db8:85a3::8a2e:370:7334 replied",
    "phone": "call +44 20 7946 0958 tomorrow",
    "aws_access_key": "key AKIAIOSFODNN7EXAMPLE leaked",
    "private_key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    "bearer_token": "Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789",
    "github_token": "token ghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "privllm_key": "pllm_0123456789ab_abcdefghijklmnopqrstuvwxyz",
}

NEAR_MISSES = [
    "card 4111 1111 1111 1112 (fails Luhn)",
    "iban GB82 WEST 1234 5698 7654 33 (bad check digits)",
    "SSN 000-12-3456 and 666-12-3456 and 900-12-3456 are never issued",
    "version 999.1.2.3 and 300.1.1.1 are not addresses",
    "order number 2024 was shipped",
    "the meeting is on 2024-05-17 at 10:30",
    "price is 1,299.00 euros",
    "localhost is 127.0.0.1",
    "user@localhost is not an address on the internet",
    "the meeting is at 10:30:00 sharp",
    "::1 is the IPv6 loopback",
]


@pytest.mark.parametrize(("kind", "text"), POSITIVES.items())
def test_detects(kind, text):
    kinds = [f.kind for f in find(text)]
    assert kind in kinds, kinds
    redacted, _ = redact(text)
    assert f"[REDACTED:{kind}]" in redacted


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_left_alone(text):
    assert find(text) == [], find(text)


@pytest.mark.parametrize("value", ["jane.doe@corp.example", "4111 1111 1111 1111", "AKIAIOSFODNN7EXAMPLE", "123-45-6789"])
def test_stream_catches_a_value_split_at_every_position(value):
    text = f"Here you go: {value} -- regards."
    for cut in range(1, len(text)):
        redactor = StreamRedactor()
        out = redactor.feed(text[:cut]) + redactor.feed(text[cut:]) + redactor.flush()
        assert value not in out, cut
        assert out.startswith("Here you go: [REDACTED:")


def test_stream_one_character_at_a_time_with_a_private_key():
    text = "key:\n-----BEGIN PRIVATE KEY-----\n" + "A" * 500 + "\n-----END PRIVATE KEY-----\ndone"
    redactor = StreamRedactor()
    out = "".join(redactor.feed(ch) for ch in text) + redactor.flush()
    assert "AAAA" not in out and out.endswith("done") and "[REDACTED:private_key]" in out
