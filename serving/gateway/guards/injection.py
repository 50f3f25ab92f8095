"""Prompt-injection detection in-process: weighted features summed into a score.

The text is normalised once (NFKC, zero-width characters removed, look-alike letters of
other scripts folded inside Latin words, s p a c e d letters joined) and, where the text
gives cause, seen again as leetspeak, reversed, and decoded (base64, hex, URL encoding,
rot13). Each feature (injection_features) that matches adds its weight once; a score at
or above the threshold is an injection. Documents use a lower threshold than prompts: an
instruction addressed to the assistant has no business in retrieved data.

The optional model-based layer is guards.classifier; this one is the fast first layer.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass

from privllm.serving.gateway.guards.injection_features import FEATURES, MULTILINGUAL, PREFIX_MAX, Feature, TextKeys

GUARD_ID = "PLLM-G-INJECTION"

PROMPT_THRESHOLD = 1.0
DOCUMENT_THRESHOLD = 0.8
THRESHOLDS = {"prompt": PROMPT_THRESHOLD, "document": DOCUMENT_THRESHOLD}

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u034f"), None)
# Cyrillic and Greek letters that look Latin, folded only inside words that also hold Latin
# letters, so Russian and Greek text keeps its own letters.
_CONFUSABLE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x",
    "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ɡ": "g", "ı": "i", "ℓ": "l",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
})
_MIXED_WORD = re.compile(r"\w*[a-z]\w*[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f\u0250-\u02af]\w*|\w*[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f\u0250-\u02af]\w*[a-z]\w*")
# one separator, the same throughout the run: "i.g.n.o.r.e a.l.l" is two words again
_SPACED = re.compile(r"(?<![^\W_])[^\W_]([ .\-_*·/|])(?:[^\W_]\1)+[^\W_](?![^\W_])")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i", "|": "l"})
# a word with a digit or symbol between letters (1gn0r3, pr3v10u5), not an e-mail or a version
_LEET_WORD = re.compile(r"(?<![\w@.])(?=[a-z0-9@$!|]*[a-z])[a-z]*[0-9@$!|]+[a-z][a-z0-9@$!|]*|(?<![\w@.])[0-9@$!|]+[a-z]+[0-9@$!|][a-z0-9@$!|]*|(?<![\w@.])[a-z]{2,}[0-9@$!|]{1,3}(?![\w@])")
_LEET_HINT = re.compile(r"[a-z][0-9]|[0-9][a-z]")  # cheap test before _LEET_WORD (an e-mail's "@" alone is no cause)
# stems that make a leetspeak reading worth a second pass
_LEET_STEMS = ("ignor", "instruct", "prompt", "previous", "system", "rule", "jailbr", "restrict", "reveal", "password", "disregard", "forget", "secret", "filter")

_B64 = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}[\s:]?){12,}\b")
_ROT13_CUE = re.compile(r"rot-?13|caesar|cipher", re.IGNORECASE)
_REVERSE_CUE = re.compile(r"revers|backwards|right to left", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    detected: bool
    signals: tuple[str, ...]
    score: float = 0.0

    @property
    def detail(self) -> str:
        return ",".join(self.signals)

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(sorted({s.split(":")[0] for s in self.signals}))


_SEPARATORS = frozenset(" .-_*·/|")


def _may_be_spaced(tokens: list[str]) -> bool:
    """Three one-letter tokens in a row ("i g n"), or a token like "i.g.n.o.r.e": a cheap test
    before the _SPACED regex."""
    run = 0
    for token in tokens:
        run = run + 1 if len(token) == 1 else 0
        if run >= 3 or (len(token) >= 5 and token[1] in _SEPARATORS and token[3] in _SEPARATORS):
            return True
    return False


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).lower()
    if not text.isascii():
        text = _MIXED_WORD.sub(lambda m: m.group(0).translate(_CONFUSABLE), text)
    # "i g n o r e" / "i.g.n.o.r.e" -> "ignore"; a wider gap stays a word break
    if _may_be_spaced(text.split()):
        text = _SPACED.sub(lambda m: m.group(0).replace(m.group(1), ""), text)
    return text


def _printable(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or sum(ch.isprintable() or ch.isspace() for ch in text) / len(text) < 0.9:
        return None
    return text


def decoded_variants(text: str) -> list[str]:
    """Payloads hidden in encodings, decoded once."""
    out = []
    tokens = text.split()
    # encoded payloads are long runs without spaces, or many short hex groups
    long_tokens = " ".join(t for t in tokens if len(t) >= 16)
    hex_groups = run = 0  # the longest run of short hex tokens ("49 67 6e ...")
    for t in tokens:
        run = run + 1 if 2 <= len(t) <= 4 and all(c in "0123456789abcdefABCDEF" for c in t) else 0
        hex_groups = max(hex_groups, run)
    for m in _B64.finditer(long_tokens):
        chunk = m.group(0)
        try:
            raw = base64.b64decode(chunk + "=" * (-len(chunk) % 4), altchars=b"-_" if ("-" in chunk or "_" in chunk) else None, validate=False)
        except (binascii.Error, ValueError):
            continue
        if decoded := _printable(raw):
            out.append(decoded)
    for m in _HEX.finditer(text if hex_groups >= 6 else long_tokens):  # _HEX needs 12 bytes
        try:
            raw = bytes.fromhex(re.sub(r"[\s:]", "", m.group(0)))
        except ValueError:
            continue
        if decoded := _printable(raw):
            out.append(decoded)
    if "%" in text:
        unquoted = urllib.parse.unquote(text)
        if unquoted != text:
            out.append(unquoted)
    if _ROT13_CUE.search(text):
        out.append(codecs.decode(text, "rot13"))
    if _REVERSE_CUE.search(text):
        out.append(text[::-1])
    return out


def _variants(text: str) -> list[str]:
    normal = normalise(text)
    variants = [normal]
    if not _LEET_HINT.search(normal):
        return variants
    leet = [w.translate(_LEET) for w in _LEET_WORD.findall(normal)]
    if any(stem in w for w in leet for stem in _LEET_STEMS):
        variants.append(_LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), normal))
    return variants


class _GateIndex:
    """Every feature's keywords in one place, so a text is looked up once and each feature's gate
    is a set intersection (the per-feature loops cost more than the regexes on short prompts)."""

    def __init__(self, features: tuple[Feature, ...]):
        self.features = features
        self.words: set[str] = set()
        self.prefixes: set[str] = set()
        # (phrase, its first word when it has one): "no longer" is looked for only where "no" is a word
        self.ascii_anywhere: set[tuple[str, str]] = set()
        self.other_anywhere: set[str] = set()
        self.gates: list[tuple[frozenset[str], ...]] = []
        self.by_key: dict[str, list[int]] = {}  # first-gate key -> features it opens
        for index, feature in enumerate(features):
            gates = []
            for keys in feature.gate_keys:
                self.words |= keys.words
                self.prefixes |= keys.prefixes
                for k in keys.anywhere:
                    if k.isascii():
                        lead = _LEAD.match(k)
                        self.ascii_anywhere.add((k, lead.group(0)[:PREFIX_MAX] if lead and (k[lead.end():lead.end() + 1] in (" ", "")) else ""))
                    else:
                        self.other_anywhere.add(k)
                gates.append(frozenset({"w:" + k for k in keys.words} | {"p:" + k for k in keys.prefixes} | {"a:" + k for k in keys.anywhere}))
            self.gates.append(tuple(gates))
            for key in gates[0]:
                self.by_key.setdefault(key, []).append(index)

    def present(self, text: str) -> set[str]:
        keys = TextKeys.of(text)
        found = {"w:" + k for k in self.words & keys.words} | {"p:" + k for k in self.prefixes & keys.prefixes}
        found |= {"a:" + k for k, lead in self.ascii_anywhere if (not lead or lead in keys.words or lead in keys.prefixes) and k in text}
        if not text.isascii():
            found |= {"a:" + k for k in self.other_anywhere if k in text}
        return found

    def open_features(self, text: str, skip: dict[str, Feature]) -> list[Feature]:
        present = self.present(text)
        candidates = sorted({i for key in present for i in self.by_key.get(key, ())})
        return [self.features[i] for i in candidates
                if self.features[i].name not in skip and all(g & present for g in self.gates[i][1:])]


_LEAD = re.compile(r"[a-z]{2,}")
_INDEX = _GateIndex(FEATURES + MULTILINGUAL)


def _matches(variant: str, found: dict[str, Feature], threshold: float) -> None:
    """Adds the matching features to found. Stops early once the threshold can no longer be
    reached by what is left (most texts are benign: that is where the time goes)."""
    todo = _INDEX.open_features(variant, found)
    todo.sort(key=lambda f: -f.weight)
    for i, feature in enumerate(todo):
        if not _reachable(found, todo[i:], threshold):
            return
        if feature.pattern.search(variant):
            found[feature.name] = feature


def _reachable(found: dict[str, Feature], rest: list[Feature], threshold: float) -> bool:
    best: dict[str, float] = {}
    for f in [*found.values(), *rest]:
        best[f.group] = max(best.get(f.group, 0.0), f.weight)
    return sum(best.values()) >= threshold


def features_in(text: str, depth: int = 2, threshold: float = 0.0) -> dict[str, Feature]:
    """The features that match the text, its variants or (depth times) its decoded payloads.
    With a threshold, a text that cannot reach it may return only part of its features."""
    found: dict[str, Feature] = {}
    for variant in _variants(text):
        _matches(variant, found, threshold)
    if depth > 0:
        for decoded in decoded_variants(text):
            for name, feature in features_in(decoded, depth - 1).items():
                found.setdefault(name, feature)
    return found


def score(found: dict[str, Feature]) -> float:
    best: dict[str, float] = {}
    for f in found.values():
        best[f.group] = max(best.get(f.group, 0.0), f.weight)
    return round(sum(best.values()), 3)


def inspect(text: str, depth: int = 2, source: str = "prompt") -> Verdict:
    """source "prompt" (a message) or "document" (retrieved data, a tool result). The score
    is exact for a detected text; for a clean one it may stop short, once it cannot reach
    the threshold."""
    found = features_in(text, depth, THRESHOLDS[source])
    total = score(found)
    signals = tuple(sorted(f"{f.family}:{f.name}" for f in found.values()))
    return Verdict(total >= THRESHOLDS[source], signals, total)
