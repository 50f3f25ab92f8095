"""`privllm policy test`: every policy's Rego tests and samples, through the review engine.

Allowed samples must raise nothing from their policy; denied samples must raise at least
one finding, attributed to the policy's id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from policies.catalog import Policy, library_modules, load_all
from policies.documents import ReviewInputError, read_yaml_documents
from policies.engine import Engine, EngineError
from policies.params import base_params


@dataclass(frozen=True)
class Outcome:
    policy: str
    case: str
    passed: bool
    detail: str = ""


def _test_rules(text: str) -> list[str]:
    return re.findall(r"^(test_\w+)\s+if\b", text, re.MULTILINE)


def run_policy(policy: Policy, library: dict[str, str]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    test_file = policy.folder / "policy_test.rego"
    modules = {**library, f"{policy.folder.name}/policy.rego": policy.rego}
    if test_file.exists():
        modules[f"{policy.folder.name}/policy_test.rego"] = test_file.read_text()
    try:
        # Rego tests see the review's default parameters unless they replace them.
        engine = Engine(modules, {"privllm": {"params": base_params()}})
    except EngineError as exc:
        return [Outcome(policy.id, "load", False, str(exc))]
    if test_file.exists():
        text = test_file.read_text()
        declared = re.search(r"^package\s+([\w.]+)", text, re.MULTILINE)
        if not declared:
            return [*outcomes, Outcome(policy.id, "policy_test.rego", False, "no package line")]
        package = declared.group(1)
        rules = _test_rules(text)
        if not rules:
            outcomes.append(Outcome(policy.id, "policy_test.rego", False, "no test_ rules"))
        for rule in rules:
            try:
                ok = engine.rule(f"data.{package}.{rule}") is True
                outcomes.append(Outcome(policy.id, rule, ok, "" if ok else "evaluated to false or undefined"))
            except EngineError as exc:
                outcomes.append(Outcome(policy.id, rule, False, str(exc)))
    else:
        outcomes.append(Outcome(policy.id, "policy_test.rego", False, "missing"))
    for expected in ("allowed", "denied"):
        samples = sorted((policy.folder / "samples" / expected).glob("*.yaml"))
        if not samples:
            outcomes.append(Outcome(policy.id, f"samples/{expected}", False, "no samples"))
        for sample in samples:
            outcomes.append(_sample(engine, policy, sample, expected))
    return outcomes


def _sample(engine: Engine, policy: Policy, sample: Path, expected: str) -> Outcome:
    case = f"samples/{expected}/{sample.name}"
    try:
        docs = read_yaml_documents(sample)
    except ReviewInputError as exc:
        return Outcome(policy.id, case, False, str(exc))
    engine.set_data(sample_data(docs))
    found: list[str] = []
    try:
        for doc in docs:
            if doc.get("kind") in policy.kinds:
                found += engine.query(f"data.{policy.package}.deny", doc) or []
    except EngineError as exc:
        return Outcome(policy.id, case, False, str(exc))
    if expected == "allowed":
        return Outcome(policy.id, case, not found, "; ".join(found))
    return Outcome(policy.id, case, bool(found), "" if found else f"no {policy.id} finding")


def sample_data(docs: list[dict]) -> dict:
    """The data a sample is reviewed with: the review's default parameters and the sample as inventory."""
    inventory: dict[str, list[dict]] = {}
    for doc in docs:
        inventory.setdefault(doc["kind"], []).append(doc)
    return {"privllm": {"inventory": inventory, "params": base_params()}}


def run_all(root: Path | None = None) -> list[Outcome]:
    library = library_modules(root) if root else library_modules()
    policies = load_all(root) if root else load_all()
    return [o for p in policies for o in run_policy(p, library)]
