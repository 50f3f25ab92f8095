"""The optional second injection layer: a sequence-classification model served in-cluster by vLLM.

The gateway sends the texts the in-process detector let through to vLLM's classification
endpoint (POST /classify: {"model", "input": [texts]} -> {"data": [{"index", "label",
"probs", "num_classes"}]}) and waits at most the latency budget. When the model cannot
answer in time (timeout, error, a malformed reply) the data class decides: requests for
classes listed in fail_closed are refused, the others pass with a note in the audit record.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from privllm.stack.gateway_config import DataClass
from privllm.stack.gateway_config import InjectionClassifier as InjectionClassifierConfig

GUARD_ID = "PLLM-G-INJECTION-MODEL"


class ClassifierUnavailable(RuntimeError):
    """The classifier did not give a usable answer within its budget."""


@dataclass(frozen=True)
class Label:
    label: str
    probability: float


@dataclass(frozen=True)
class ClassifierOutcome:
    flagged: tuple[int, ...]  # indexes of the texts the model calls injections
    labels: tuple[Label, ...]
    unavailable: str | None = None  # why the model gave no answer, when it did not
    refuse: bool = False  # unavailable and the data class fails closed
    elapsed_ms: float = 0.0

    @property
    def detail(self) -> str:
        if self.unavailable:
            return f"classifier unavailable ({self.unavailable}); {'refused' if self.refuse else 'passed'} by the fail policy"
        return ",".join(f"{i}:{self.labels[i].label}={self.labels[i].probability:.2f}" for i in self.flagged)


def parse_response(body: object, count: int) -> list[Label]:
    """Labels in input order from vLLM's classification reply; ValueError when its shape is wrong."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list) or len(body["data"]) != count:
        raise ValueError(f"expected {{'data': [...]}} with {count} results")
    labels: list[Label | None] = [None] * count
    for item in body["data"]:
        if not isinstance(item, dict):
            raise ValueError("a result is not an object")
        index, label, probs = item.get("index"), item.get("label"), item.get("probs")
        if not isinstance(index, int) or not 0 <= index < count or not isinstance(label, str):
            raise ValueError("a result lacks a valid index or label")
        if not isinstance(probs, list) or not probs or not all(isinstance(p, (int, float)) for p in probs):
            raise ValueError("a result lacks probabilities")
        labels[index] = Label(label, float(max(probs)))
    if any(label is None for label in labels):
        raise ValueError("results do not cover every input")
    return [label for label in labels if label is not None]


class InjectionClassifier:
    """Client of one classification model; the aiohttp session is the gateway's, shared."""

    def __init__(self, config: InjectionClassifierConfig, session: aiohttp.ClientSession):
        self.config = config
        self.session = session
        self.url = config.url.rstrip("/") + config.path
        self._headers = {"content-type": "application/json"}
        if config.api_key_file:
            self._headers["authorization"] = "Bearer " + Path(config.api_key_file).read_text().strip()

    async def classify(self, texts: list[str]) -> list[Label]:
        budget = aiohttp.ClientTimeout(total=self.config.budget_ms / 1000)
        try:
            async with self.session.post(self.url, json={"model": self.config.model, "input": texts}, headers=self._headers, timeout=budget) as resp:
                if resp.status != 200:
                    raise ClassifierUnavailable(f"HTTP {resp.status}")
                body = await resp.json(content_type=None)
        except TimeoutError:
            raise ClassifierUnavailable(f"no answer within {self.config.budget_ms} ms") from None
        except aiohttp.ClientError as exc:
            raise ClassifierUnavailable(type(exc).__name__) from None
        except ValueError:
            raise ClassifierUnavailable("reply is not JSON") from None
        try:
            return parse_response(body, len(texts))
        except ValueError as exc:
            raise ClassifierUnavailable(f"malformed reply: {exc}") from None

    def is_injection(self, label: Label) -> bool:
        return label.label in self.config.injection_labels and label.probability >= self.config.threshold

    async def check(self, texts: list[str], data_class: DataClass) -> ClassifierOutcome:
        started = time.perf_counter()
        if not texts:
            return ClassifierOutcome((), ())
        try:
            labels = await self.classify(texts)
        except ClassifierUnavailable as exc:
            elapsed = (time.perf_counter() - started) * 1000
            return ClassifierOutcome((), (), str(exc), data_class in self.config.fail_closed, elapsed)
        flagged = tuple(i for i, label in enumerate(labels) if self.is_injection(label))
        return ClassifierOutcome(flagged, tuple(labels), elapsed_ms=(time.perf_counter() - started) * 1000)

