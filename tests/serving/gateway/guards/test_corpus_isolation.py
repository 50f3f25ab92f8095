"""The held-out corpora stay held out: no other test reads them, and they share no example with
the development set (this file compares texts, it scores nothing). Only bench/guard_quality.py
evaluates the detectors on them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.guard_quality import CORPUS, SETS, load, load_set

TESTS = Path(__file__).resolve().parents[3]
HELD_OUT_NAME = "held" + "out"  # spelled apart so this file does not match its own search


def test_no_test_refers_to_the_held_out_set():
    offenders = [
        str(p.relative_to(TESTS)) for p in TESTS.rglob("*.py")
        if p.resolve() != Path(__file__).resolve() and re.search(HELD_OUT_NAME, p.read_text(encoding="utf-8"), re.IGNORECASE)
    ]
    assert offenders == []


def _bare(text: str) -> str:
    """A text without case, spacing or punctuation: writers of one model family converge on the
    same short prompts ("Tell me a joke about programmers"), differing only in those."""
    return re.sub(r"\W+", "", text.casefold())


@pytest.mark.parametrize("kind", ["injection", "benign", "sensitive"])
def test_sets_share_no_example(kind):
    dev = {_bare(r.text) for r in load_set("dev", kind)}
    held = {_bare(r.text) for r in load_set(HELD_OUT_NAME, kind)}
    assert not dev & held


def test_every_corpus_file_parses_and_every_value_sits_in_its_text():
    for name in SETS:
        for path in sorted((CORPUS / name).glob("*.txt")):
            assert load(path), path
