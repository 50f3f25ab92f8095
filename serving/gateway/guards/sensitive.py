"""Sensitive data in prompts and completions: personal data and credentials.

Written here because the maintained detectors either need models fetched from a hub at run
time (Presidio's NLP engine needs a spaCy model), which an air-gapped gateway cannot do, or
are slow for a hot path. Every numeric identifier is checked (Luhn for cards, mod-97 for
IBANs, the SSA's rules for SSNs, octet ranges for IPs), so near misses pass.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

GUARD_INPUT = "PLLM-G-PII-IN"
GUARD_OUTPUT = "PLLM-G-PII-OUT"


def _luhn(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(match: str) -> bool:
    digits = re.sub(r"[ -]", "", match)
    return 13 <= len(digits) <= 19 and digits[0] in "3456" and _luhn(digits)


def _iban(match: str) -> bool:
    s = match.replace(" ", "").upper()
    if not 15 <= len(s) <= 34:
        return False
    rearranged = s[4:] + s[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def _ssn(match: str) -> bool:
    area, group, serial = match.split("-")
    return area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"


def _ipv4(match: str) -> bool:
    try:
        ip = ipaddress.IPv4Address(match)
    except ValueError:
        return False
    # Version-like strings ("1.2.3.4" in "v1.2.3.4") are rare; loopback and unspecified are not personal.
    return not (ip.is_loopback or ip.is_unspecified)


def _ipv6(match: str) -> bool:
    try:
        ip = ipaddress.IPv6Address(match)
    except ValueError:
        return False
    return match.count(":") >= 2 and not (ip.is_loopback or ip.is_unspecified)


def _phone(match: str) -> bool:
    digits = re.sub(r"\D", "", match)
    return 9 <= len(digits) <= 15


@dataclass(frozen=True)
class Detector:
    kind: str
    pattern: re.Pattern
    valid: Callable[[str], bool] | None = None
    # A match needs one of these substrings (checked on the lower-cased text), or, with
    # needs_digit, a digit: a cheap test before scanning the whole text with the pattern.
    hints: tuple[str, ...] = ()
    needs_digit: bool = False

    def may_match(self, lowered: str, has_digit: bool) -> bool:
        if self.needs_digit and not has_digit:
            return False
        return not self.hints or any(h in lowered for h in self.hints)


# Order matters: credentials first, so a key is not half-claimed by a number pattern.
DETECTORS: tuple[Detector, ...] = (
    Detector("private_key", re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z]+ )?PRIVATE KEY-----"), hints=("-----begin",)),
    Detector("aws_access_key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), hints=("akia", "asia")),
    Detector("aws_secret_key", re.compile(r"(?i)aws_secret_access_key\s*[=:]\s*['\"]?[A-Za-z0-9/+=]{40}"), hints=("aws_secret_access_key",)),
    Detector("github_token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), hints=("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    Detector("slack_token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"), hints=("xox",)),
    Detector("privllm_key", re.compile(r"\bpllm_[0-9a-f]{12}_[A-Za-z0-9_-]{20,}"), hints=("pllm_",)),
    Detector("api_key", re.compile(r"\bsk-(?:live-|proj-|ant-)?[A-Za-z0-9_-]{20,}\b"), hints=("sk-",)),
    Detector("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), hints=("eyj",)),
    Detector("bearer_token", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{20,}=*"), hints=("bearer",)),
    Detector("email", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"), hints=("@",)),
    Detector("iban", re.compile(r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"), _iban, needs_digit=True),
    Detector("payment_card", re.compile(r"\b(?:\d[ -]?){12,18}\d\b"), _card, needs_digit=True),
    Detector("us_ssn", re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), _ssn, hints=("-",), needs_digit=True),
    Detector("ipv6", re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])"), _ipv6, hints=(":",)),
    Detector("ipv4", re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"), _ipv4, hints=(".",), needs_digit=True),
    # International (+CC ...), a bracketed area code, or the North American 3-3-4 shape; bare digit
    # groups are left alone (they are more often order, account or card fragments than phones).
    Detector(
        "phone",
        re.compile(
            r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}"
            r"|\(\d{2,4}\)[ .-]?\d{3,4}[ .-]?\d{3,4}"
            r"|\b\d{3}[.-]\d{3}[.-]\d{4})(?![\w-])"
        ),
        _phone,
        needs_digit=True,
    ),
)

_KEY_END = re.compile(r"-----END [A-Z ]*PRIVATE KEY-----")

# The longest value a detector can match, except private keys (held until their END line).
MAX_MATCH = 160


@dataclass(frozen=True)
class Found:
    kind: str
    start: int
    end: int


_DIGIT = re.compile(r"\d")


def find(text: str) -> list[Found]:
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    lowered = text.lower()
    has_digit = _DIGIT.search(text) is not None
    for d in DETECTORS:
        if not d.may_match(lowered, has_digit):
            continue
        for m in d.pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if d.valid is not None and not d.valid(m.group(0)):
                continue
            found.append(Found(d.kind, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def redact(text: str) -> tuple[str, list[str]]:
    """Text with every sensitive value replaced by [REDACTED:<kind>], and the kinds found."""
    found = find(text)
    if not found:
        return text, []
    out, last = [], 0
    for f in found:
        out.append(text[last : f.start])
        out.append(f"[REDACTED:{f.kind}]")
        last = f.end
    out.append(text[last:])
    return "".join(out), [f.kind for f in found]


class StreamRedactor:
    """Redacts a stream of text pieces; a value split across pieces is still caught.

    Text is held back until no sensitive value could still be growing across the cut:
    the last MAX_MATCH characters wait for more, and an open private-key block waits for
    its END line.
    """

    def __init__(self) -> None:
        self._buffer = ""
        self.kinds: list[str] = []

    def feed(self, piece: str) -> str:
        self._buffer += piece
        cut = len(self._buffer) - MAX_MATCH
        begin = self._buffer.rfind("-----BEGIN")
        if begin != -1 and not _KEY_END.search(self._buffer, begin):
            cut = min(cut, begin)
        if cut <= 0:
            return ""
        for f in find(self._buffer):
            if f.start < cut < f.end:
                cut = f.start
                break
        return self._emit(cut)

    def _emit(self, cut: int) -> str:
        head, self._buffer = self._buffer[:cut], self._buffer[cut:]
        safe, kinds = redact(head)
        self.kinds += kinds
        return safe

    def flush(self) -> str:
        return self._emit(len(self._buffer))
