"""Literal strings a regex cannot match without: a cheap test before running it.

`required(pattern)` reads the compiled pattern's parse tree and returns strings of which every
match contains at least one, or None when it finds no such set. Checking a few substrings costs
a fraction of what a regex costs on a long text, and most texts fail them, so the regex is run
only where it could match: the results are exactly those of the regex alone.

Sound by construction: parts that can match anything (classes, optional parts, repeats that may
be empty) contribute nothing; lookarounds and anchors are treated as matching the empty string,
which only widens the set of texts that pass. Case-insensitive patterns get no literals.
"""

from __future__ import annotations

import re

# re's parser (the same tree re.compile builds); the public sre_parse alias warns on import.
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

# An exact part may stand for at most this many strings before it is cut into separate
# requirements (its product with the next part would grow too large to check cheaply).
MAX_STRINGS = 16
# A requirement worth checking: its strings are this long at least, and there are few of them.
MIN_LENGTH = 3
MAX_CHECKS = 16


class _Exact:
    """The part matches exactly one of these strings."""

    def __init__(self, strings: frozenset[str]):
        self.strings = strings


class _Required:
    """Every match of the part contains one string of each of these sets (any one set will do)."""

    def __init__(self, options: list[frozenset[str]]):
        self.options = options


_Info = _Exact | _Required | None
_EMPTY = _Exact(frozenset({""}))


def _usable(strings: frozenset[str]) -> bool:
    return bool(strings) and len(strings) <= MAX_CHECKS and min(map(len, strings)) >= MIN_LENGTH


def _rarity(strings: frozenset[str]) -> tuple[int, list[str]]:
    """About how likely a text is to pass (each string about 10x rarer per character); ties are
    broken by the strings, so the choice does not depend on hash order."""
    return sum(10 ** (6 - min(len(x), 6)) for x in strings), sorted(strings)


def _options(info: _Info) -> list[frozenset[str]]:
    if isinstance(info, _Exact):
        return [info.strings] if _usable(info.strings) else []
    return info.options if info is not None else []


def _sequence(items: list[tuple[Any, Any]]) -> _Info:
    exact = frozenset({""})  # the strings the run of exact parts so far stands for
    options: list[frozenset[str]] = []
    all_exact = True
    for item in items:
        info = _node(item)
        if isinstance(info, _Exact):
            options += _options(info)  # the part alone is required too
            product = frozenset(a + b for a in exact for b in info.strings)
            if len(product) <= MAX_STRINGS:
                exact = product
            else:
                options += _options(_Exact(exact))
                exact, all_exact = info.strings, False
            continue
        all_exact = False
        options += _options(_Exact(exact)) + _options(info)
        exact = frozenset({""})
    if all_exact:
        return _Exact(exact)
    options += _options(_Exact(exact))
    return _Required(sorted(set(options), key=_rarity)[:4]) if options else None


def _node(item: tuple[Any, Any]) -> _Info:
    op, arg = item
    if op is _c.LITERAL:
        return _Exact(frozenset({chr(arg)}))
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return _EMPTY  # zero-width: what it asserts is not needed for soundness
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, body = arg
        if add_flags & re.IGNORECASE:
            return None
        return _sequence(list(body))
    if op is _c.BRANCH:
        infos = [_sequence(list(branch)) for branch in arg[1]]
        if all(isinstance(i, _Exact) for i in infos):
            union = frozenset(s for i in infos if isinstance(i, _Exact) for s in i.strings)
            if len(union) <= MAX_STRINGS:
                return _Exact(union)
        return _union([_options(i) for i in infos])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) or op is getattr(_c, "POSSESSIVE_REPEAT", None):
        low, high, body = arg
        info = _sequence(list(body))
        if low == 1 and high == 1:
            return info
        if low == 0 and high == 1 and isinstance(info, _Exact):
            return _Exact(info.strings | {""})
        if low >= 1:
            return _Required(_options(info)) if _options(info) else None
        return None
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(list(arg))
    return None  # classes, any character, group references: could be anything


def _union(per_branch: list[list[frozenset[str]]]) -> _Info:
    """One option of every branch, joined: the combination a text is least likely to pass."""
    if not per_branch or any(not options for options in per_branch):
        return None
    combos: list[frozenset[str]] = [frozenset()]
    for options in per_branch:
        combos = sorted({c | o for c in combos for o in options if len(c | o) <= MAX_CHECKS}, key=_rarity)[:8]
        if not combos:
            return None
    return _Required(combos[:4])


def required(pattern: re.Pattern) -> tuple[str, ...] | None:
    """Strings of which every match of pattern contains one (sorted), or None."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    options = sorted(_options(_sequence(list(_parser.parse(pattern.pattern, pattern.flags).data))), key=_rarity)
    return tuple(sorted(options[0])) if options else None


# Characters of English text, most frequent first; any other character counts as rarer still.
_FREQUENT = " etaoinsrhldcumfpgwyb,.vkxjqz"


def rarest(phrase: str) -> str:
    """The character of phrase least likely in a text: `ch in text` is a fast scan for one
    character, so testing it first makes most failing substring tests cheap."""
    return max(phrase, key=lambda ch: _FREQUENT.find(ch) if ch in _FREQUENT else len(_FREQUENT))


def probed(phrases: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((rarest(p), p) for p in phrases)


def any_in(probes: tuple[tuple[str, str], ...], text: str) -> bool:
    """Whether text contains one of the phrases given by probed()."""
    for ch, phrase in probes:
        if ch in text and phrase in text:
            return True
    return False
