"""Sensitive data in prompts and completions: personal data and credentials.

`find`/`redact` scan a whole text; `StreamRedactor` does the same for a text that arrives in
pieces and releases each piece as soon as no value can still be growing across the cut. The
rules (patterns plus checksum and context checks) are in pii_rules; a `Scanner` binds them to
the configured phone regions. Presidio was not used: its NLP engine needs a spaCy model
fetched at run time, which an air-gapped gateway cannot do, and it is slow for a hot path.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import regex

from privllm.serving.gateway.guards.literals import rarest
from privllm.serving.gateway.guards.pii_rules import DEFAULT_PHONE_REGIONS, Rule, build_rules

GUARD_INPUT = "PLLM-G-PII-IN"
GUARD_OUTPUT = "PLLM-G-PII-OUT"

# Released text the stream redactor keeps as left context: the naming words that some rules
# look for before a value ("aws_secret_access_key = ", "AccountKey=") must still be visible.
STREAM_CONTEXT = 96
# How far before the first partial match an earlier start is looked for ("+44 (", "(212").
LOOKBACK = 8
# What may sit between a complete value and the end of the received text while the value can
# still grow: a separator or two (a space, a dash, a dot) before the next group.
_CONTINUATION = regex.compile(r"[ ._+/=:()\-]{1,2}")


_DIGIT = regex.compile(r"\d")


@dataclass(frozen=True)
class Found:
    kind: str
    start: int
    end: int


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in taken)


class Scanner:
    """The rules for one configuration (phone regions), compiled once and shared."""

    def __init__(self, phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> None:
        self.phone_regions = tuple(phone_regions)
        self.rules: tuple[Rule, ...] = build_rules(self.phone_regions)
        # Rule.may_match for all rules at once: every distinct hint is looked for once, and only
        # where its rarest character occurs (most hints are absent and fail at that).
        self._hint_sets = tuple(frozenset(r.hints) for r in self.rules)
        self._hints_by_char: dict[str, list[str]] = {}
        for hint in sorted({h for r in self.rules for h in r.hints}):
            self._hints_by_char.setdefault(rarest(hint), []).append(hint)

    def _possible(self, text: str, lowered: str, start: int) -> list[Rule]:
        if text.isascii():  # there \d is [0-9]: a few character scans instead of a regex
            has_digit = any(text.find(d, start) >= 0 for d in "0123456789")
        else:
            has_digit = _DIGIT.search(text, start) is not None
        present = {h for ch, hints in self._hints_by_char.items() if ch in lowered for h in hints if h in lowered}
        return [rule for rule, hints in zip(self.rules, self._hint_sets, strict=True)
                if not (rule.needs_digit and not has_digit) and not (hints and hints.isdisjoint(present))]

    def find(self, text: str, start: int = 0) -> list[Found]:
        """Values in text[start:], in order; earlier rules win where two overlap."""
        found: list[Found] = []
        taken: list[tuple[int, int]] = []
        for rule in self._possible(text, text.lower(), start):
            for m in rule.pattern.finditer(text, start):
                if _overlaps(m.start(), m.end(), taken):
                    continue
                if rule.check is not None and not rule.check(m.group(0), text, m.start()):
                    continue
                found.append(Found(rule.kind, m.start(), m.end()))
                taken.append((m.start(), m.end()))
        return sorted(found, key=lambda f: f.start)

    def pending_from(self, text: str, start: int) -> int:
        """The first position in text[start:] where a value may begin that more text could
        still complete or extend: everything before it is final. len(text) when none."""
        hold = len(text)
        for rule in self.rules:
            for m in rule.pattern.finditer(text, start, partial=True):
                if m.start() >= hold or m.start() == len(text):
                    break
                # The engine prefers a complete match to a partial one, so "DE80 1332 9059 " is
                # complete before its last space although more groups may follow: a match
                # followed only by a little continuation text may still grow.
                if m.end() == len(text) or _CONTINUATION.fullmatch(text, m.end()):
                    hold = m.start()
                    break
            # A search reports a complete match before an earlier partial one: "(2" holds only
            # the "2" although "(212) 555-0187" may be coming. Look a few characters back.
            for p in range(max(start, hold - LOOKBACK), hold):
                m = rule.pattern.match(text, p, partial=True)
                if m is not None and (m.end() == len(text) or _CONTINUATION.fullmatch(text, m.end())):
                    hold = p
                    break
        return hold

    def redact(self, text: str) -> tuple[str, list[str]]:
        return _apply(text, 0, len(text), self.find(text))


def _apply(text: str, start: int, end: int, found: list[Found]) -> tuple[str, list[str]]:
    out, last, kinds = [], start, []
    for f in found:
        if f.start < start or f.end > end:
            continue
        out.append(text[last : f.start])
        out.append(f"[REDACTED:{f.kind}]")
        kinds.append(f.kind)
        last = f.end
    out.append(text[last:end])
    return "".join(out), kinds


@functools.lru_cache(maxsize=8)
def scanner(phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> Scanner:
    return Scanner(phone_regions)


def find(text: str, regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> list[Found]:
    return scanner(tuple(regions)).find(text)


def redact(text: str, regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> tuple[str, list[str]]:
    """Text with every sensitive value replaced by [REDACTED:<kind>], and the kinds found."""
    return scanner(tuple(regions)).redact(text)


@dataclass
class StreamRedactor:
    """Redacts a stream of text pieces: feed(piece) returns what is safe to send now,
    flush() the rest once the stream ends (on every way it can end).

    Held back is only the tail that a rule still matches partially (an e-mail's local
    part, a half-received key, an open private-key block), so ordinary text passes with
    at most the current word held; a value split across pieces is caught as a whole.
    """

    regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS
    kinds: list[str] = field(default_factory=list)
    _context: str = ""
    _pending: str = ""

    @property
    def held(self) -> int:
        """Characters received but not yet released."""
        return len(self._pending)

    def feed(self, piece: str) -> str:
        if not piece:
            return ""
        self._pending += piece
        text, start = self._context + self._pending, len(self._context)
        scan = scanner(tuple(self.regions))
        cut = scan.pending_from(text, start)
        found = scan.find(text, start)
        # A value that ends at or past the cut could still grow: hold it whole.
        moved = True
        while moved:
            moved = False
            for f in found:
                if f.start < cut <= f.end:
                    cut, moved = f.start, True
        return self._release(text, start, cut, found)

    def flush(self) -> str:
        if not self._pending:
            return ""
        text, start = self._context + self._pending, len(self._context)
        return self._release(text, start, len(text), scanner(tuple(self.regions)).find(text, start))

    def _release(self, text: str, start: int, cut: int, found: list[Found]) -> str:
        if cut <= start:
            return ""
        safe, kinds = _apply(text, start, cut, found)
        self.kinds += kinds
        self._context = text[max(0, cut - STREAM_CONTEXT) : cut]
        self._pending = text[cut:]
        return safe
