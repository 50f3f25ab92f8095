"""Learns the injection detector's linear layer (serving/gateway/guards/injection_model.tsv).

Run: PYTHONPATH=. python bench/train_injection_model.py [--check] [--report]

Training data: the development corpus only (tests/serving/gateway/corpus/dev), every attack and
benign record, prompts and documents alike. The held-out corpus is never read here.

The thresholds come from leave-one-batch-out cross-validation: each writing session (a "batch",
one injection_N.txt with its benign_N.txt) is scored by a model learnt from the others, which is
how a style nobody trained on is met. Per source (prompts, documents): "strong" is the score
that at most STRONG_FP of the benign texts reach that way, "weak" the one at most WEAK_FP reach,
"clear" the one CLEAR_MISS of the attacks stay below. --report prints what the
whole detector scores per batch by cross-validation; --check exits 1 when the shipped file differs from a retrain.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, replace

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from bench.guard_quality import CORPUS, load
from privllm.serving.gateway.guards import injection_model
from privllm.serving.gateway.guards.injection import inspect, normalise

C = 50.0  # weak regularisation: chosen by the cross-validation below (C=1..100 tried)
MIN_DF = 2  # a word or pair seen in one example only is that example's, not the class's
# The three rates were chosen by the same cross-validation, scoring the whole detector (phrase
# features and this layer) on the batches the phrase features were never tuned on (12 onwards):
# of the settings tried, the one with the fewest benign prompts refused at over 70% recall.
# Batches 33-36 then showed the 1% benign limit to be the target with the least room (1.7% of
# their hard-negative prompts refused before training on them), so CLEAR_MISS went from 0.15 to
# 0.20: cross-validated on 12-36 that refuses 27 rather than 32 of 3,799 benign prompts and 8
# rather than 11 of 731 benign documents, and catches 1,744 rather than 1,771 of 2,697 direct
# attacks (0.25 and STRONG_FP 0.003 lost 35 more attacks for no fewer benign prompts refused).
STRONG_FP = 0.005
WEAK_FP = 0.02
# "clear" is the score that this share of the attacks falls below (by cross-validation): below it
# the model overrules the phrase features
CLEAR_MISS = 0.20
# the batches the phrase features of guards/injection.py were written and tuned on
TUNED_ON = frozenset({"1", "v1", *map(str, range(2, 12))})


@dataclass(frozen=True)
class Example:
    batch: str
    attack: bool
    document: bool
    features: frozenset[str]
    text: str


def examples() -> list[Example]:
    out = []
    for path in sorted((CORPUS / "dev").glob("*.txt")):
        kind, _, batch = path.stem.partition("_")
        if kind not in ("injection", "benign"):
            continue
        for record in load(path):
            words = injection_model.tokens(normalise(record.text))
            out.append(Example(batch or "1", record.label != "benign", record.document, frozenset(injection_model.features(words)), record.text))
    return out


def _in_order(features: frozenset[str]) -> list[str]:
    """A set's order depends on the process's string hashing (a fold's worker has its own): the
    solver sees each row in sorted order, so every process learns the same weights."""
    return sorted(features)


def fit(train: list[Example]) -> injection_model.Model:
    vectoriser = CountVectorizer(analyzer=_in_order, binary=True, min_df=MIN_DF)
    x = _scaled(vectoriser.fit_transform([e.features for e in train]), train)
    y = np.array([e.attack for e in train])
    # liblinear: four times faster than lbfgs here, deterministic with a fixed seed
    regression = LogisticRegression(C=C, max_iter=10_000, class_weight="balanced", solver="liblinear", random_state=0).fit(x, y)
    weights = dict(zip(vectoriser.get_feature_names_out(), (float(w) for w in regression.coef_[0]), strict=True))
    return injection_model.Model(weights, float(regression.intercept_[0]), {}, {}, {})


def _scaled(x: sparse.csr_matrix, batch: list[Example]) -> sparse.csr_matrix:
    """Each row divided by the square root of the example's feature count, in the vocabulary or
    not, at least injection_model.MIN_SCALE (injection_model.Model.logit does the same)."""
    return sparse.diags([1 / injection_model.scale(len(e.features)) for e in batch]) @ x


def _score(model: injection_model.Model, example: Example) -> float:
    known = sum(w for f in example.features if (w := model.weights.get(f)) is not None)
    return model.intercept + known / injection_model.scale(len(example.features))


def fold_models(data: list[Example]) -> dict[str, injection_model.Model]:
    """Per batch, the model learnt from every other batch (the folds in parallel, one per core)."""
    batches = sorted({e.batch for e in data})
    # forked workers: the same process image, so the same weights to the last digit (loky's fresh
    # interpreters gave differences of 1e-4 in the thresholds)
    models = Parallel(n_jobs=min(len(batches), os.cpu_count() or 1), backend="multiprocessing")(delayed(fit)([e for e in data if e.batch != b]) for b in batches)
    return dict(zip(batches, models, strict=True))


def cross_validated(data: list[Example], folds: dict[str, injection_model.Model]) -> list[float]:
    """Each example's score from a model that never saw its batch."""
    return [_score(folds[e.batch], e) for e in data]


def _quantile_threshold(benign_scores: list[float], rate: float) -> float:
    """The lowest score that at most `rate` of the benign scores exceed."""
    ranked = sorted(benign_scores, reverse=True)
    return round(ranked[min(int(rate * len(ranked)), len(ranked) - 1)], 6)


def train() -> tuple[injection_model.Model, list[Example], dict[str, injection_model.Model]]:
    data = examples()
    folds = fold_models(data)
    scores = cross_validated(data, folds)
    benign, attacks = ({source: [s for e, s in zip(data, scores, strict=True) if e.attack == attack and e.document == (source == "document")]
                        for source in ("prompt", "document")} for attack in (False, True))
    full = fit(data)
    model = injection_model.Model(
        {f: round(w, 6) for f, w in full.weights.items()}, round(full.intercept, 6),
        {source: _quantile_threshold(values, STRONG_FP) for source, values in benign.items()},
        {source: _quantile_threshold(values, WEAK_FP) for source, values in benign.items()},
        {source: round(float(np.quantile(values, CLEAR_MISS)), 6) for source, values in attacks.items()})
    return model, data, folds


def report(model: injection_model.Model, data: list[Example], folds: dict[str, injection_model.Model]) -> None:
    """Per batch, the whole detector as it meets a style nobody trained on: the phrase features
    alone, and with the word model of the fold that never saw the batch (at the thresholds the
    cross-validation chose). The phrase features were tuned on batches 1-11 (v1 included), so
    only the later batches are fresh for them."""
    print(f"{len(data)} examples, {len(model.weights)} features; strong {model.strong}, weak {model.weak}, clear {model.clear}")
    print("batch: phrase features alone -> whole detector, cross-validated")
    totals: dict[str, list[int]] = {}
    for batch in sorted(folds, key=lambda b: (len(b), b)):
        fold = replace(folds[batch], strong=model.strong, weak=model.weak, clear=model.clear)
        cells = []
        for label, attack, document in (("direct", True, False), ("documents", True, True), ("benign", False, False), ("benign docs", False, True)):
            picked = [e for e in data if e.batch == batch and e.attack == attack and e.document == document]
            if not picked:
                continue
            source = "document" if document else "prompt"
            alone = sum(inspect(e.text, source=source, model=injection_model.ABSENT).detected for e in picked)
            whole = sum(inspect(e.text, source=source, model=fold).detected for e in picked)
            cells.append(f"{label} {alone} -> {whole}/{len(picked)}")
            if batch not in TUNED_ON:
                total = totals.setdefault(label, [0, 0, 0])
                total[0] += alone
                total[1] += whole
                total[2] += len(picked)
        print(f"  {batch:>4}: " + "; ".join(cells))
    print("batches the phrase features were never tuned on: " + "; ".join(f"{k} {a} -> {w}/{n}" for k, (a, w, n) in totals.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped model instead of writing it")
    parser.add_argument("--report", action="store_true", help="print the whole detector's cross-validated results per batch")
    args = parser.parse_args(argv)
    model, data, folds = train()
    if args.report:
        report(model, data, folds)
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
