"""The literal prefilter: the strings it requires are in every text a feature's regex matches."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.guard_quality import load_set
from privllm.serving.gateway.guards import injection
from privllm.serving.gateway.guards.literals import any_in, probed, rarest, required


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"rot-?13|caesar|cipher", ("caesar", "cipher", "rot-13", "rot13")),
    (r"\bab(?:cd|ef)g\b", ("abcdg", "abefg")),
    (r"(?:mode)+", ("mode",)),
    (r"\w+ (?:hidden|secret) [a-q]", (" hidden ", " secret ")),
    (r"(?:from now on|henceforth)(?=,)", ("from now on", "henceforth")),
])
def test_required_strings_of_simple_patterns(pattern, expected):
    assert required(re.compile(pattern)) == expected


@pytest.mark.parametrize("pattern", [
    r"x[^y]+z",  # nothing literal of three characters
    r"abc|x+",  # one branch needs no literal
    r"(?:abcd)?efg?",  # the literal part is optional
    r"(?i:mode)x",  # case-insensitive: "MODE" matches too
    r"mode",
])
def test_no_requirement_where_a_match_needs_none(pattern):
    flags = re.IGNORECASE if pattern == "mode" else 0
    assert required(re.compile(pattern, flags)) is None


FEATURES = [f for f in injection._INDEX.features if f.pattern in injection._LITERALS]


def test_most_features_have_a_prefilter():
    assert len(FEATURES) >= len(injection._INDEX.features) // 2


@pytest.mark.parametrize("feature", FEATURES, ids=lambda f: f.name)
def test_every_match_in_the_development_corpus_contains_a_required_string(feature):
    needs = injection._LITERALS[feature.pattern]
    texts = [r.text for kind in ("injection", "benign") for r in load_set("dev", kind)]
    for text in texts:
        for variant in injection._variants(text):
            for m in feature.pattern.finditer(variant):
                # in the match itself: the strings come from what a match consumes
                assert any(s in m.group(0) for _, s in needs), (feature.name, m.group(0))


@pytest.mark.parametrize("feature", FEATURES, ids=lambda f: f.name)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_generated_matches_contain_a_required_string(feature, data):
    text = data.draw(st.from_regex(feature.pattern))
    assert feature.pattern.search(text)
    assert any(s in text for _, s in injection._LITERALS[feature.pattern])


def test_the_probe_is_the_rarest_character():
    assert rarest(".com") == "."
    assert rarest("i am your") == "y"
    assert rarest("jailbreak") == "j"
    assert rarest("état") == "é"


def test_any_in_finds_exactly_the_phrases_present():
    probes = probed(("hooks.slack", "ghp_", "key"))
    assert any_in(probes, "see hooks.slack.com")
    assert any_in(probes, "the key is")
    assert not any_in(probes, "hooks slack ghp- ke y")
