"""The learned layer of the injection detector: a logistic regression over words, the beginnings of
long words, and word pairs.

The phrase and co-occurrence features of injection.py catch what they were written for and
little else: each fresh batch of attacks written in a new style was caught at 35-45% before
its phrasings were added. A linear model over the words of the whole text generalises further
across styles for the same cost (a dictionary lookup per word and word pair, about 0.1 ms for a
2 KB prompt). It is learnt by bench/train_injection_model.py from the development corpus only
(tests/serving/gateway/corpus/dev); the weights, the intercept and the two score thresholds live
in injection_model.tsv next to this file, and a test retrains and compares, so the file is never
edited by hand.

Inference is written here rather than loaded from scikit-learn so that the gateway image does
not carry scikit-learn, NumPy and SciPy for a sum over a dictionary. It mirrors the training
pipeline exactly: binary features, each text's vector scaled by the square root of its feature
count (known to the model or not, at least MIN_SCALE), a dot product over the known ones.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from itertools import repeat
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("injection_model.tsv")

# letters, digit runs, and short punctuation runs ("###", "]:", "-->") that mark fake boundaries
_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]{1,3}")
_DIGITS = re.compile(r"\d+")
# scripts written without spaces: read as overlapping character pairs
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# the longest text scored in one piece; a longer one is scored in pieces of this many tokens and
# the highest score counts, so the cost stays linear and a late injection is not averaged away
MAX_TOKENS = 2048
KINDS = ("strong", "weak", "clear")  # the model's thresholds, each per source
# a word of eight letters or more also counts by its first five ("~instr" for instruction,
# instructions, instruir, instrucciones): inflections and cognates the corpus lacks still weigh.
# Chosen by the leave-one-batch-out cross-validation of bench/train_injection_model.py (4-6
# letters tried; prefixes of shorter words doubled their word's weight and refused more benign
# "act as" prompts)
PREFIX = 5
# a text's vector is scaled by the square root of its feature count, but never of fewer than
# this many: a one-word tool result ("deployed", "stop") is too little evidence to score like a
# sentence. Chosen by the cross-validation (4, 8, 12 tried: 12 refused no more benign texts and
# missed 3 attacks of 2,131 more than none)
MIN_SCALE = 12


def scale(count: int) -> float:
    return math.sqrt(max(count, MIN_SCALE))


def tokens(normal: str) -> list[str]:
    """The tokens of text already passed through injection.normalise (lower case, NFKC); every
    number reads as "0"."""
    if normal.isascii():
        # The same tokens, cheaper: in ASCII text \d is [0-9], and no token spans whitespace, so
        # each whitespace-separated piece is tokenised alone (a run of letters is one token).
        if any(d in normal for d in "0123456789"):
            normal = _DIGITS.sub("0", normal)
        words = []
        for piece in normal.split():
            if piece.isalpha():
                words.append(piece)
            else:
                words += _TOKEN.findall(piece)
        return words
    words = _TOKEN.findall(_DIGITS.sub("0", normal))
    out: list[str] = []
    for token in words:
        if len(token) > 2 and _UNSPACED.match(token):
            out.extend(token[i:i + 2] for i in range(len(token) - 1))
        else:
            out.append(token)
    return out


def prefixes(unigrams: set[str]) -> set[str]:
    return {"~" + w[:PREFIX] for w in unigrams if len(w) > PREFIX + 2}


def features(words: list[str]) -> set[str]:
    """Each word, the first letters of each long word, and each pair of neighbouring words, once."""
    found = set(words)
    found |= prefixes(found)
    found.update(map(" ".join, zip(words, words[1:], strict=False)))
    return found


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]
    intercept: float
    # decision-function values per source ("prompt", "document"): at the strong one the model
    # alone detects; at the weak one it adds half a detection to what the phrase features found;
    # below the clear one it overrules the phrase features
    strong: dict[str, float]
    weak: dict[str, float]
    clear: dict[str, float]
    # the weights of word pairs again, keyed by the pair: a text's pairs are then counted and looked
    # up as tuples of its words, without a joined string made and hashed for each (a third faster)
    pairs: dict[tuple[str, str], float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pairs = {tuple(f.split(" ")): w for f, w in self.weights.items() if " " in f}
        object.__setattr__(self, "pairs", pairs)

    def logit(self, normal: str) -> float:
        words = tokens(normal)
        if not words:
            return self.intercept
        return max(self._logit(words[i:i + MAX_TOKENS]) for i in range(0, len(words), MAX_TOKENS))

    def _logit(self, words: list[str]) -> float:
        # scaled by every feature of the text, known or not: a text of mostly unknown words (a
        # language the corpus lacks) stays near the intercept instead of being judged by its few
        # known words
        # = features(words), the pairs kept as tuples (words hold no spaces: the same count)
        unigrams = set(words)
        unigrams |= prefixes(unigrams)  # no token joins "~" and letters: no word collides with a prefix
        pairs = set(zip(words, words[1:], strict=False))
        total = sum(map(self.weights.get, unigrams, repeat(0.0))) + sum(map(self.pairs.get, pairs, repeat(0.0)))
        return self.intercept + total / scale(len(unigrams) + len(pairs))

    def strongest(self, normal: str, count: int = 3) -> list[str]:
        """The features that pushed the score up most, for the verdict's reason."""
        found = features(tokens(normal)[:MAX_TOKENS])
        ranked = sorted((w, f) for f in found if (w := self.weights.get(f, 0.0)) > 0)
        return [f for _, f in ranked[::-1][:count]]


# no words known, thresholds out of reach: the detector's phrase features alone
ABSENT = Model({}, 0.0, *({"prompt": bound, "document": bound} for bound in (math.inf, math.inf, -math.inf)))


def dump(model: Model) -> str:
    """The model file: a header of key=value lines, then one "weight<TAB>feature" line each."""
    head = [f"# intercept={model.intercept!r}"]
    head += [f"# {kind}_{source}={value!r}" for kind in KINDS for source, value in sorted(getattr(model, kind).items())]
    body = [f"{weight:.6f}\t{feature}" for feature, weight in sorted(model.weights.items())]
    return "\n".join(["# privllm injection model: generated by bench/train_injection_model.py, do not edit", *head, *body]) + "\n"


def parse(text: str) -> Model:
    header: dict[str, float] = {}
    weights: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("# ") and "=" in line:
            key, _, value = line[2:].partition("=")
            header[key] = float(value)
        elif line and not line.startswith("#"):
            weight, _, feature = line.partition("\t")
            weights[feature] = float(weight)
    def per_source(kind: str) -> dict[str, float]:
        return {key.removeprefix(f"{kind}_"): value for key, value in header.items() if key.startswith(f"{kind}_")}

    return Model(weights, header["intercept"], *(per_source(kind) for kind in KINDS))


@cache
def load() -> Model:
    return parse(MODEL_FILE.read_text(encoding="utf-8"))
