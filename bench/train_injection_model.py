"""Learns the injection detector's linear layer (serving/gateway/guards/injection_model.tsv).

Run: PYTHONPATH=. python bench/train_injection_model.py [--check] [--report]

Training data: the development corpus only (tests/serving/gateway/corpus/dev), every attack and
benign record, prompts and documents alike. The held-out corpus is never read here.

The thresholds come from leave-one-batch-out cross-validation: each writing session (a "batch",
one injection_N.txt with its benign_N.txt) is scored by a model learnt from the others, which is
how a style nobody trained on is met. Per source (prompts, documents): "strong" is the score
that at most STRONG_FP of the benign texts reach that way, "weak" the one at most WEAK_FP reach,
"clear" the one CLEAR_MISS of the attacks stay below. --report prints what the
cross-validation scored per batch; --check exits 1 when the shipped file differs from a retrain.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from bench.guard_quality import CORPUS, load
from privllm.serving.gateway.guards import injection_model
from privllm.serving.gateway.guards.injection import normalise

C = 50.0  # weak regularisation: chosen by the cross-validation below (C=1..100 tried)
MIN_DF = 2  # a word or pair seen in one example only is that example's, not the class's
STRONG_FP = 0.005
WEAK_FP = 0.05
# "clear" is the score that this share of the attacks falls below (by cross-validation): below it
# the model overrules the phrase features
CLEAR_MISS = 0.10


@dataclass(frozen=True)
class Example:
    batch: str
    attack: bool
    document: bool
    features: frozenset[str]


def examples() -> list[Example]:
    out = []
    for path in sorted((CORPUS / "dev").glob("*.txt")):
        kind, _, batch = path.stem.partition("_")
        if kind not in ("injection", "benign"):
            continue
        for record in load(path):
            words = injection_model.tokens(normalise(record.text))
            out.append(Example(batch or "1", record.label not in ("benign",), record.document, frozenset(injection_model.features(words))))
    return out


def _identity(features: frozenset[str]) -> frozenset[str]:
    return features


def fit(train: list[Example]) -> injection_model.Model:
    vectoriser = CountVectorizer(analyzer=_identity, binary=True, min_df=MIN_DF)
    x = normalize(vectoriser.fit_transform([e.features for e in train]))
    y = np.array([e.attack for e in train])
    regression = LogisticRegression(C=C, max_iter=10_000, class_weight="balanced").fit(x, y)
    weights = dict(zip(vectoriser.get_feature_names_out(), (float(w) for w in regression.coef_[0]), strict=True))
    return injection_model.Model(weights, float(regression.intercept_[0]), {}, {}, {})


def _score(model: injection_model.Model, example: Example) -> float:
    known = [w for f in example.features if (w := model.weights.get(f)) is not None]
    return model.intercept + (sum(known) / len(known) ** 0.5 if known else 0.0)


def cross_validated(data: list[Example]) -> list[float]:
    """Each example's score from a model that never saw its batch."""
    scores = [0.0] * len(data)
    for batch in sorted({e.batch for e in data}):
        model = fit([e for e in data if e.batch != batch])
        for i, e in enumerate(data):
            if e.batch == batch:
                scores[i] = _score(model, e)
    return scores


def _quantile_threshold(benign_scores: list[float], rate: float) -> float:
    """The lowest score that at most `rate` of the benign scores exceed."""
    ranked = sorted(benign_scores, reverse=True)
    return round(ranked[min(int(rate * len(ranked)), len(ranked) - 1)], 6)


def train() -> tuple[injection_model.Model, list[Example], list[float]]:
    data = examples()
    scores = cross_validated(data)
    benign, attacks = ({source: [s for e, s in zip(data, scores, strict=True) if e.attack == attack and e.document == (source == "document")]
                        for source in ("prompt", "document")} for attack in (False, True))
    full = fit(data)
    model = injection_model.Model(
        {f: round(w, 6) for f, w in full.weights.items()}, round(full.intercept, 6),
        {source: _quantile_threshold(values, STRONG_FP) for source, values in benign.items()},
        {source: _quantile_threshold(values, WEAK_FP) for source, values in benign.items()},
        {source: round(float(np.quantile(values, CLEAR_MISS)), 6) for source, values in attacks.items()})
    return model, data, scores


def report(model: injection_model.Model, data: list[Example], scores: list[float]) -> None:
    print(f"{len(data)} examples, {len(model.weights)} features; strong {model.strong}, weak {model.weak}, clear {model.clear}")
    totals: dict[str, list[int]] = {}
    for e, s in zip(data, scores, strict=True):
        label = ("attack " if e.attack else "benign ") + ("documents" if e.document else "prompts")
        totals.setdefault(label, [0, 0])
        totals[label][0] += s >= model.strong["document" if e.document else "prompt"]
        totals[label][1] += 1
    print("cross-validated, strong alone: " + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(totals.items())))
    print("cross-validated (each batch scored by a model that never saw it):")
    for batch in sorted({e.batch for e in data}, key=lambda b: (len(b), b)):
        rows = [(e, s) for e, s in zip(data, scores, strict=True) if e.batch == batch]
        cells = []
        for label, attack, document in (("direct", True, False), ("documents", True, True), ("benign", False, False), ("benign docs", False, True)):
            picked = [s for e, s in rows if e.attack == attack and e.document == document]
            source = "document" if document else "prompt"
            if picked:
                strong = sum(s >= model.strong[source] for s in picked)
                cells.append(f"{label} {strong}/{len(picked)} strong, {sum(s >= model.weak[source] for s in picked)} weak")
        print(f"  batch {batch:>4}: " + "; ".join(cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped model instead of writing it")
    parser.add_argument("--report", action="store_true", help="print the cross-validated scores per batch")
    args = parser.parse_args(argv)
    model, data, scores = train()
    if args.report:
        report(model, data, scores)
    if args.check:
        shipped = injection_model.parse(injection_model.MODEL_FILE.read_text(encoding="utf-8"))
        same = differences(shipped, model) == []
        print("the shipped model is what the corpus trains" if same else f"the shipped model differs: {differences(shipped, model)[:5]}")
        return 0 if same else 1
    injection_model.MODEL_FILE.write_text(injection_model.dump(model), encoding="utf-8")
    print(f"wrote {injection_model.MODEL_FILE} ({len(model.weights)} features)")
    return 0


def differences(a: injection_model.Model, b: injection_model.Model, tolerance: float = 1e-4) -> list[str]:
    """What differs between two models beyond the solver's last digits."""
    out = ["intercept"] if abs(a.intercept - b.intercept) > tolerance else []
    out += [f"{kind} {source}" for kind in injection_model.KINDS for source in set(getattr(a, kind)) | set(getattr(b, kind))
            if abs(getattr(a, kind).get(source, 0.0) - getattr(b, kind).get(source, 1e9)) > tolerance]
    out += sorted(set(a.weights) ^ set(b.weights))
    out += [f for f in set(a.weights) & set(b.weights) if abs(a.weights[f] - b.weights[f]) > tolerance]
    return out


if __name__ == "__main__":
    sys.exit(main())
