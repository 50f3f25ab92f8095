"""Every policy's Rego tests and samples run through the review engine."""

from __future__ import annotations

from collections import Counter

import pytest

from privllm.policies.catalog import LAYERS, load_all
from privllm.policies.testing import run_all

OUTCOMES = run_all()
CONTROL_PREFIXES = ("PSS:", "NSA-CISA:", "CIS-", "OWASP-LLM", "AWS-FSBP:")  # AWS-FSBP: Security Hub foundational best practices


@pytest.mark.parametrize("outcome", OUTCOMES, ids=[f"{o.policy}:{o.case}" for o in OUTCOMES])
def test_policy_case(outcome):
    assert outcome.passed, outcome.detail


def test_policy_set_covers_every_layer():
    policies = load_all()
    assert len(policies) >= 40
    per_layer = Counter(p.layer for p in policies)
    assert all(per_layer[layer] >= 4 for layer in LAYERS), per_layer


def test_every_policy_has_tests_and_both_kinds_of_sample():
    by_policy = {}
    for o in OUTCOMES:
        by_policy.setdefault(o.policy, set()).add(o.case.split("/")[0] + ("/" + o.case.split("/")[1] if "/" in o.case else ""))
    for policy in load_all():
        cases = by_policy[policy.id]
        assert any(c.startswith("test_") for c in cases), policy.id
        assert "samples/allowed" in cases and "samples/denied" in cases, policy.id


def test_controls_name_known_frameworks():
    for policy in load_all():
        for control in policy.controls:
            assert control.startswith(CONTROL_PREFIXES), f"{policy.id}: {control}"


def test_owasp_llm_top_ten_is_covered():
    covered = {c for p in load_all() for c in p.controls if c.startswith("OWASP-LLM")}
    assert {f"OWASP-LLM{n:02d}" for n in (1, 2, 3, 4, 5, 6, 8, 10)} <= covered
