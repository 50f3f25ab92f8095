"""Large inputs are evaluated by worker processes; the findings are those of one process."""

from __future__ import annotations

import yaml

from policies import evaluate
from policies.review import review

POD = """
apiVersion: v1
kind: Pod
metadata: {{name: p{i}, namespace: ns{i}}}
spec:
  containers: [{{name: c, image: "x:{tag}", securityContext: {{privileged: {priv}}}}}]
"""


def _docs(n: int) -> list[dict]:
    return [yaml.safe_load(POD.format(i=i, tag="main" if i % 3 else "1.0", priv=str(i % 2 == 0).lower())) for i in range(n)]


def _key(result):
    return sorted((f.id, f.resource["name"], f.message) for f in result.findings)


def test_worker_processes_find_what_one_process_finds(monkeypatch):
    docs = _docs(40)
    serial = review(docs)
    monkeypatch.setattr(evaluate, "PARALLEL_FROM", 10)
    monkeypatch.setattr(evaluate, "CHUNK", 7)
    assert evaluate.workers_for(40) > 1 or (evaluate.os.cpu_count() or 1) == 1
    parallel = review(docs)
    assert parallel.errors == [] and _key(parallel) == _key(serial) and _key(serial)
    assert [r.documents for r in parallel.results] == [r.documents for r in serial.results]


def test_text_prefilter_never_hides_a_finding():
    """A policy with needs_text is skipped on objects without the text; across every sample and
    misconfiguration in the project, each of its findings is on an object holding the text."""
    import json
    from pathlib import Path

    from policies.catalog import load_all
    from policies.documents import Intake, read_manifest
    from policies.engine import Engine
    from policies.params import base_params
    from privllm.paths import POLICIES

    gated = [p for p in load_all() if p.needs_text]
    assert {p.id for p in gated} >= {"PLLM-L3-001", "PLLM-L3-005", "PLLM-L4-010", "PLLM-L3-006"}
    corpus = Intake()
    for path in sorted([*POLICIES.glob("*/samples/*/*.yaml"), *(Path(__file__).parent / "misconfigs").glob("*/*.yaml")]):
        read_manifest(path, corpus)
    from policies.catalog import library_modules

    engine = Engine({**library_modules(), **{f"{p.folder.name}/policy.rego": p.rego for p in gated}}, {"privllm": {"params": base_params()}})
    hits = 0
    for item in corpus.items:
        text = json.dumps(item.doc).lower()
        for policy in gated:
            if item.doc["kind"] in policy.kinds and engine.query(f"data.{policy.package}.deny", item.doc):
                hits += 1
                assert policy.may_find(item.doc["kind"], text), (policy.id, item.resource)
    assert hits >= len(gated)


def test_files_read_by_workers_give_the_same_review(tmp_path, monkeypatch):
    import pytest

    from policies.documents import ReviewInputError
    from policies.review import review_directory

    for i in range(6):
        (tmp_path / f"part-{i}.yaml").write_text(yaml.safe_dump_all(_docs(5)))
    serial = review_directory(tmp_path)
    monkeypatch.setattr(evaluate, "PARALLEL_READ_FROM", 0)
    parallel = review_directory(tmp_path)
    assert _key(parallel) == _key(serial) and parallel.kinds == serial.kinds == {"Pod": 30}
    (tmp_path / "part-9.yaml").write_text("apiVersion: v1\nkind: Pod\nkind: Pod\n")
    with pytest.raises(ReviewInputError, match="part-9.yaml:line 3: .*duplicate key 'kind'"):
        review_directory(tmp_path)
