"""The detectors' cheap paths answer exactly as the slower forms they stand in for."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.guard_quality import load_set
from privllm.serving.gateway.guards import injection, injection_model, sensitive
from privllm.serving.gateway.guards.injection_features import _WORD, _words

# Characters where the fast paths could differ: whitespace str.split() knows, hex digits, digits
# next to letters, letters re.IGNORECASE folds onto ASCII (Kelvin sign, long s, dotted I).
ALPHABET = st.sampled_from(list("abcdefrotsviK0123456789 \t\n\x0b\x1c\x85\xa0\u3000.-_*·/|'@") + ["\u212a", "\u017f", "\u0130", "é"])
TEXTS = st.text(ALPHABET, max_size=80) | st.lists(st.sampled_from(["rot13", "Caesar", "REVERSE", "ab", "12", "f00d", "be", "x1", "Backwards"]), max_size=12).map(" ".join)


def _old_may_be_spaced(tokens: list[str]) -> bool:
    run = 0
    for token in tokens:
        run = run + 1 if len(token) == 1 else 0
        if run >= 3 or (len(token) >= 5 and token[1] in " .-_*·/|" and token[3] in " .-_*·/|"):
            return True
    return False


def _old_filler_run(variant: str, length: int = 20) -> bool:
    run, last = 0, None
    for token in variant.split():
        if len(token) <= 3 and token == last and not all(ch in "-=|:#*.," for ch in token):
            run += 1
            if run + 1 >= length:
                return True
        else:
            run, last = 0, token
    return False


def _old_hex_run(text: str) -> bool:
    hex_groups = run = 0
    for t in text.split():
        run = run + 1 if 2 <= len(t) <= 4 and all(c in "0123456789abcdefABCDEF" for c in t) else 0
        hex_groups = max(hex_groups, run)
    return hex_groups >= 6


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_words_of_ascii_text_are_the_regex_words(text):
    assert _words(text) == set(_WORD.findall(text))


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_cues_leet_hint_and_hex_runs_match_their_regexes(text):
    lowered = text.lower() if text.isascii() else None
    assert injection._cue(text, lowered, injection._ROT13_WORDS, injection._ROT13_CUE) == bool(re.search(r"rot-?13|caesar|cipher", text, re.IGNORECASE))
    assert injection._cue(text, lowered, injection._REVERSE_WORDS, injection._REVERSE_CUE) == bool(re.search(r"revers|backwards|right to left", text, re.IGNORECASE))
    assert bool(injection._LEET_HINT.search(text)) == bool(re.search(r"[a-z][0-9]|[0-9][a-z]", text))
    assert injection._hex_run(text.split()) == _old_hex_run(text)
    assert injection._may_be_spaced(text) == _old_may_be_spaced(text.split())
    assert injection._filler_run(text, 4) == _old_filler_run(text, 4)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["ab", "ab", "--", "x", "longer", "ab\n"]), max_size=60).map(" ".join))
def test_filler_runs_are_found_as_before(text):
    assert injection._filler_run(text) == _old_filler_run(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab09٣ -_.:@=~kyKEY") + ["sk-", "ghp_", "hooks.slack", "-----BEGIN", "8q~", "bearer", "Pass"]), max_size=20).map("".join), st.integers(0, 5))
def test_the_rules_a_scan_runs_are_those_whose_hints_match(text, start):
    scanner = sensitive.scanner()
    has_digit = sensitive._DIGIT.search(text, start) is not None
    assert scanner._possible(text, text.lower(), start) == [r for r in scanner.rules if r.may_match(text.lower(), has_digit)]


def test_a_spaced_hex_payload_is_still_decoded():
    assert "Ignore all r" in injection.decoded_variants("please read 49 67 6e 6f 72 65 20 61 6c 6c 20 72 now")


def _regex_tokens(normal: str) -> list[str]:
    return injection_model._TOKEN.findall(injection_model._DIGITS.sub("0", normal))


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from(list("ab zZ09_-.,:;!?#]>\t\n")), max_size=60))
def test_word_model_tokens_of_ascii_text_are_the_regex_tokens(text):
    assert injection_model.tokens(text) == _regex_tokens(text)


def test_word_model_tokens_of_the_development_corpus_are_the_regex_tokens():
    texts = [injection.normalise(r.text) for kind in ("injection", "benign") for r in load_set("dev", kind)]
    assert all(injection_model.tokens(t) == _regex_tokens(t) for t in texts if t.isascii())
