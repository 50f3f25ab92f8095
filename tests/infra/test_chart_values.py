"""Ignored values: a key the kit sets that the chart never reads is found."""

from __future__ import annotations

from privllm.infra.chart_values import ignored_keys, leaf_paths, read_paths
from privllm.infra.helm import ChartSources, chart_sources
from tests.infra.chartkit import WIDGET


def test_keys_the_templates_read_directly_or_as_a_whole_subtree_pass():
    sources = chart_sources(WIDGET)
    values = {"image": {"repository": "r", "tag": "t"}, "config": {"receivers": {"otlp": {}}}, "hook": {"enabled": False}, "port": 1}
    assert ignored_keys(values, sources) == []


def test_a_key_no_template_reads_is_reported_with_its_path():
    sources = chart_sources(WIDGET)
    values = {"serviceAccount": {"create": True, "automountServiceAccountToken": False}, "image": {"digest": "sha256:00"}}
    assert ignored_keys(values, sources) == ["serviceAccount.automountServiceAccountToken", "image.digest"]


def test_index_haskey_and_variables_count_as_reads():
    templates = {
        "templates/a.yaml": '{{ index .Values "one" "two" }} {{ if hasKey .Values "three" }}{{ end }}',
        "templates/b.yaml": "{{- $s := .Values.four }}\n{{ $s.five }}",
    }
    read = read_paths(ChartSources({}, None, templates, ()))
    assert {"one.two", "three", "four.five"} <= read
    assert ignored_keys({"one": {"two": 1}, "three": 1, "four": {"five": 1, "six": 1}}, ChartSources({}, None, templates, ())) == ["four.six"]


def test_subchart_and_global_keys_are_left_to_the_subchart():
    sources = ChartSources({}, None, {"templates/a.yaml": "{{ .Values.own }}"}, ("nfd",))
    assert ignored_keys({"nfd": {"enabled": False}, "global": {"x": 1}, "own": 1, "other": 2}, sources) == ["other"]


def test_lists_and_empty_maps_are_leaves():
    assert list(leaf_paths({"a": [1, 2], "b": {}, "c": {"d": {"e": 1}}})) == ["a", "b", "c.d.e"]
