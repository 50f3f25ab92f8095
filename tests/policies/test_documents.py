"""Reading hostile and odd input: limits, duplicate keys, every file form, one clear message."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from policies import documents
from policies.documents import Intake, ReviewInputError, read_directory, read_manifest
from tests.policies.clirun import review_files

ALIAS_BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]" for i in range(8)]
    + ["apiVersion: v1", "kind: ConfigMap", "data: {x: *i}"]
)


def test_alias_bomb_is_refused_with_one_clear_message(tmp_path):
    assert len(ALIAS_BOMB) < 1024
    (tmp_path / "bomb.yaml").write_text(ALIAS_BOMB)
    r = subprocess.run([sys.executable, "-m", "privllm.cli", "review", "--manifests", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "bomb.yaml: document 1 cannot be reviewed: it expands to more than" in r.stderr
    assert "Traceback" not in r.stderr


def test_self_referencing_alias_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: x, self: *m}\n")
    with pytest.raises(ReviewInputError, match="(refers to itself|not valid YAML|nested)"):
        read_manifest(path, Intake())


def test_deep_nesting_is_refused(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\ndata: " + "[" * 200 + "]" * 200 + "\n")
    with pytest.raises(ReviewInputError, match="nests deeper than"):
        read_manifest(path, Intake())


def test_duplicate_yaml_key_is_refused(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      securityContext:\n        privileged: true\n        privileged: false\n")
    with pytest.raises(ReviewInputError, match=r"dup.yaml:line 9: .*duplicate key 'privileged'"):
        read_manifest(path, Intake())


def test_duplicate_json_key_is_refused(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text('{"apiVersion": "v1", "kind": "Pod", "kind": "ConfigMap"}')
    with pytest.raises(ReviewInputError, match="duplicate key 'kind'"):
        read_manifest(path, Intake())


def test_merge_keys_are_not_duplicates(tmp_path):
    path = tmp_path / "merge.yaml"
    path.write_text("base: &b {a: 1}\napiVersion: v1\nkind: ConfigMap\ndata: {<<: *b, a: 2}\n")
    intake = Intake()
    read_manifest(path, intake)
    assert intake.items[0].doc["data"] == {"a": 2}


def test_file_size_and_document_count_are_limited(tmp_path, monkeypatch):
    path = tmp_path / "many.yaml"
    path.write_text("---\n".join("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n" for _ in range(5)))
    monkeypatch.setattr(documents, "MAX_DOCUMENTS_PER_FILE", 3)
    with pytest.raises(ReviewInputError, match="more than 3 documents"):
        read_manifest(path, Intake())
    monkeypatch.setattr(documents, "MAX_FILE_BYTES", 10)
    with pytest.raises(ReviewInputError, match="more than the 10-byte limit"):
        read_manifest(path, Intake())


def test_timestamps_binary_and_odd_keys_do_not_break_the_review(tmp_path):
    outcome = review_files(
        tmp_path,
        {
            "odd.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: {when: 2024-01-01}}\ndata: {1: one, true: yes, blob: !!binary aGVsbG8=}\n",
        },
    )
    assert outcome.code == 0, outcome.output
    assert outcome.report["scope"]["objects_by_kind"] == {"ConfigMap": 1}


def test_non_scalar_key_is_a_clear_error(tmp_path):
    (tmp_path / "k.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: {? [a, b] : c}\n")
    with pytest.raises(ReviewInputError, match="mapping key is not a scalar|not valid YAML"):
        read_directory(tmp_path)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("apiVersion: v1\nkind: Pod\nmetadata: oops\n", "metadata is not a mapping"),
        ("- just\n- a list\n", "not a mapping"),
        ("42\n", "not a mapping"),
        ("kind: Pod\n", "needs apiVersion and kind"),
        ("apiVersion: v1\nkind: [Pod]\n", "needs apiVersion and kind"),
        ("apiVersion: v1\nkind: List\nitems: oops\n", "items is not a list"),
    ],
)
def test_malformed_documents_are_skipped_with_their_reason(tmp_path, text, reason):
    ok = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n"
    outcome = review_files(tmp_path, {"a.yaml": ok + "---\n" + text})
    assert outcome.code == 0, outcome.output
    skipped = outcome.report["scope"]["skipped"]
    assert len(skipped) == 1 and reason in skipped[0]["reason"] and skipped[0]["source"].endswith("a.yaml#2")
    strict = review_files(tmp_path, {"a.yaml": ok + "---\n" + text}, "--strict")
    assert strict.code == 1


def test_list_items_are_named_by_their_place(tmp_path):
    outcome = review_files(tmp_path, {"l.yaml": "apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Pod, spec: {containers: [{image: 'x:1.0', securityContext: {privileged: true}}]}}\n"})
    sources = {f["resource"]["source"] for f in outcome.report["findings"]}
    assert sources == {f"{tmp_path / 'manifests' / 'l.yaml'}#1/items[0]"}


def test_yml_and_json_files_are_read(tmp_path):
    (tmp_path / "a.yml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (tmp_path / "b.json").write_text('{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"}}]}')
    kinds = sorted(item.doc["kind"] for item in read_directory(tmp_path).items)
    assert kinds == ["ConfigMap", "Secret"]


def test_a_directory_with_nothing_reviewable_is_an_error(tmp_path):
    (tmp_path / "notes.yaml").write_text(yaml.safe_dump({"shopping": ["milk"]}))
    with pytest.raises(ReviewInputError, match="nothing to review"):
        read_directory(tmp_path)
