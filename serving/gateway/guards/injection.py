"""Prompt-injection detection: instruction overrides, jailbreak role-play, system-prompt
extraction, delimiter and tag injection, in several languages, seen through obfuscation
(zero-width and look-alike characters, leetspeak, spaced-out letters) and through encodings
(base64, hex, URL-encoding, rot13), which are decoded and checked again.

Tuned for few false positives: talking about instructions, prompts, role-play or base64 is
ordinary; only the combination of an override verb with the model's own instructions (or a
jailbreak persona, or chat-template markup) counts. Corpus results are in the tests.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass

GUARD_ID = "PLLM-G-INJECTION"

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad"), None)
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"})

_OVERRIDE_VERB = r"(?:ignore|disregard|forget|override|bypass|skip|drop|abandon|discard|neglect)"
_THEIR_RULES = r"(?:instructions?|rules|prompts?|guidelines|directions|directives|constraints|guardrails|polic(?:y|ies)|programming|system\s+(?:prompt|message))"
_EARLIER = r"(?:previous|prior|above|earlier|preceding|all|any|your|the|these|those|initial|original|existing|system|safety)"

PATTERNS: dict[str, re.Pattern] = {
    "instruction_override": re.compile(
        rf"\b{_OVERRIDE_VERB}\b(?:\s+\w+){{0,3}}?\s+{_EARLIER}\b(?:\s+\w+){{0,3}}?\s+{_THEIR_RULES}\b"
    ),
    "new_instructions": re.compile(
        r"\b(?:from now on|henceforth|starting now),?\s+(?:you\s+(?:will|must|shall|are)|your\s+(?:new\s+)?(?:instructions|rules))"
        r"|\b(?:new|updated|real|actual|true)\s+(?:system\s+)?(?:instructions|rules|system\s+prompt)\s*(?:are|is|:)"
    ),
    "jailbreak_persona": re.compile(
        r"\b(?:you\s+are|you're|act\s+as|pretend(?:\s+to\s+be|\s+you\s+are)?|role-?play\s+as|behave\s+like|become)\b(?:\s+\w+){0,5}?\s+"
        r"(?:dan|jailbroken|unfiltered|uncensored|unrestricted|unaligned|evil\s+(?:ai|assistant)|an?\s+ai\s+without\s+(?:any\s+)?(?:rules|restrictions|limits|filters))\b"
        r"|\bdo\s+anything\s+now\b|\bdeveloper\s+mode\s+(?:enabled|on|activated)\b|\bjailbreak(?:ed)?\s+mode\b"
        r"|\b(?:be|become)\s+an?\s+(?:ai|assistant|model|chatbot)\s+(?:without|with\s+no)\s+(?:any\s+)?(?:rules|restrictions|limits|filters)\b"
        r"|\bwithout\s+(?:any\s+)?(?:ethical|moral|safety)\s+(?:guidelines|restrictions|filters|limits)\b"
        r"|\b(?:no|free\s+of)\s+(?:ethical|moral|content)\s+(?:guidelines|restrictions|filters)\b"
    ),
    "prompt_extraction": re.compile(
        r"\b(?:reveal|show|print|repeat|output|display|tell\s+me|give\s+me|leak|dump|recite|spell\s+out|copy|what\s+(?:is|are|was|were))\b"
        r"(?:\s+\w+){0,4}?\s+(?:your\s+(?:system\s+prompt|system\s+message|(?:initial|original|hidden|secret|full)\s+(?:prompt|instructions)|instructions|prompt|rules|guidelines|configuration)"
        r"|the\s+(?:system\s+(?:prompt|message)|(?:initial|original|hidden|secret)\s+(?:prompt|instructions)|(?:text|words|instructions)\s+above))\b"
        r"|\b(?:everything|all\s+(?:the\s+)?text)\s+(?:above|before\s+this)\b.{0,30}\bverbatim\b"
    ),
    "delimiter_injection": re.compile(
        r"</?\s*(?:system|assistant|im_start|im_end|instructions?|sys|retrieved_document|tool)\s*>"
        r"|<\|\s*(?:im_start|im_end|system|endoftext|eot_id|start_header_id)\s*\|>"
        r"|\[/?inst\]|<<\s*/?sys\s*>>"
        r"|(?:^|\n)\s*#{0,3}\s*(?:system|assistant)\s*(?:prompt)?\s*:\s*\S"
    ),
    "foreign_override": re.compile(
        # German, French, Spanish, Italian, Portuguese, Dutch, Russian, Chinese, Japanese.
        r"ignorier\w*\s+(?:alle\s+)?(?:vorherigen|bisherigen|obigen|vorigen)\s+(?:anweisungen|instruktionen|regeln|befehle)"
        r"|vergiss\s+(?:alle\s+)?(?:vorherigen\s+|bisherigen\s+)?(?:anweisungen|regeln)"
        r"|ignore[zr]?\s+(?:toutes\s+)?(?:les\s+)?(?:instructions|consignes|règles)\s+(?:précédentes|precedentes|antérieures|anterieures)"
        r"|oublie[zr]?\s+(?:toutes\s+)?(?:tes\s+|vos\s+|les\s+)?(?:instructions|consignes)"
        r"|ignora[r]?\s+(?:todas\s+)?(?:las\s+)?instrucciones\s+(?:anteriores|previas)"
        r"|olvida\s+(?:todas\s+)?(?:las\s+|tus\s+)?instrucciones"
        r"|ignora\s+(?:tutte\s+)?(?:le\s+)?istruzioni\s+(?:precedenti|sopra)"
        r"|ignor[ea]\s+(?:todas\s+)?(?:as\s+)?instru[çc][õo]es\s+anteriores"
        r"|negeer\s+(?:alle\s+)?(?:vorige|eerdere|voorgaande)\s+instructies"
        r"|игнорируй\w*\s+(?:все\s+)?(?:предыдущие\s+)?(?:инструкции|указания)"
        r"|забудь\s+(?:все\s+)?(?:предыдущие\s+)?(?:инструкции|указания)"
        r"|忽略(?:之前|以上|先前|前面)的?(?:所有)?(?:指令|指示|说明|规则)"
        r"|(?:以前|前|上記)の(?:すべての)?指示を無視"
        r"|(?:zeige|nenne)\s+(?:mir\s+)?(?:deinen|den)\s+system-?prompt"
        r"|(?:révèle|montre|affiche)[sz]?\s+(?:moi\s+)?(?:ton|votre|le)\s+prompt\s+(?:système|systeme)"
        r"|(?:mu[eé]stra|revela)(?:me)?\s+(?:tu|el)\s+prompt\s+del\s+sistema"
    ),
}

# A pattern can only match if one of its keywords occurs: a cheap test before each regex
# (each regex costs 50-200 us on a 2 KB prompt). Keywords must stay necessary conditions.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "instruction_override": ("ignore", "disregard", "forget", "override", "bypass", "skip", "drop", "abandon", "discard", "neglect"),
    "new_instructions": ("from now", "henceforth", "starting now", "instructions", "rules", "system prompt"),
    "jailbreak_persona": ("dan", "jailbr", "unfilter", "uncensor", "unrestrict", "unalign", "evil", "without", "anything",
                          "developer", "with no", "ethical", "moral", "content"),
    "prompt_extraction": ("your", "system", "initial", "original", "hidden", "secret", "above", "verbatim"),
    "delimiter_injection": ("<", "[", "system", "assistant"),
    "foreign_override": ("ignor", "vergiss", "oubli", "olvida", "negeer", "игнор", "забудь", "忽略", "無視", "zeig", "nenn",
                         "révèl", "revel", "montr", "affich", "muestra", "muéstra"),
}
COMPACT_KEYWORDS = ("ignore", "disregard", "forget", "reveal", "show", "print", "repeat", "doanything", "developermode")

# The same ideas with every separator removed, for "i g n o r e" and "i.g.n.o.r.e".
COMPACT_PATTERNS: dict[str, re.Pattern] = {
    "instruction_override": re.compile(r"(?:ignore|disregard|forget)(?:all|any|the|your)?(?:previous|prior|above|earlier)(?:instructions|rules|prompts)"),
    "prompt_extraction": re.compile(r"(?:reveal|show|print|repeat)(?:me)?(?:your|the)(?:systemprompt|hiddeninstructions|initialinstructions)"),
    "jailbreak_persona": re.compile(r"doanythingnow|developermodeenabled"),
}

_B64 = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}[\s:]?){12,}\b")
_SPACED = re.compile(r"(?:\b\w[\s.\-_*]){4,}\w\b")


@dataclass(frozen=True)
class Verdict:
    detected: bool
    signals: tuple[str, ...]

    @property
    def detail(self) -> str:
        return ",".join(self.signals)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).lower()
    # "i g n o r e" / "i.g.n.o.r.e" -> "ignore"
    return _SPACED.sub(lambda m: re.sub(r"[\s.\-_*]", "", m.group(0)), text)


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
    for m in _B64.finditer(text):
        chunk = m.group(0)
        try:
            raw = base64.b64decode(chunk + "=" * (-len(chunk) % 4), altchars=b"-_" if ("-" in chunk or "_" in chunk) else None, validate=False)
        except (binascii.Error, ValueError):
            continue
        if decoded := _printable(raw):
            out.append(decoded)
    for m in _HEX.finditer(text):
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
    if re.search(r"rot-?13|caesar|cipher", text, re.IGNORECASE):
        out.append(codecs.decode(text, "rot13"))
    return out


def _signals(text: str) -> set[str]:
    found = set()
    normal = normalise(text)
    for variant in {normal, normal.translate(_LEET)}:
        for name, pattern in PATTERNS.items():
            if name not in found and any(k in variant for k in KEYWORDS[name]) and pattern.search(variant):
                found.add(name)
        compact = re.sub(r"[\W_]+", "", variant)
        if any(k in compact for k in COMPACT_KEYWORDS):
            found |= {name for name, pattern in COMPACT_PATTERNS.items() if pattern.search(compact)}
    return found


def inspect(text: str, depth: int = 2) -> Verdict:
    signals = _signals(text)
    if depth > 0:
        for decoded in decoded_variants(text):
            inner = inspect(decoded, depth - 1)
            signals |= {f"encoded:{s}" for s in inner.signals}
    return Verdict(bool(signals), tuple(sorted(signals)))
