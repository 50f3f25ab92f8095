"""Where third-party charts come from: a chart cache (directory or archive), else the mirror."""

from __future__ import annotations

from infra.chart_source import CHARTS_ENV, ChartSource
from tests.infra.chartkit import chart_cache


def test_a_chart_directory_in_the_cache_is_found_at_its_exact_version(tmp_path):
    cache = chart_cache(tmp_path)
    found = ChartSource([cache]).locate("widget", "1.2.3", "oci://registry.example/charts")
    assert found.path == cache / "widget-1.2.3" and found.origin == f"cache {cache}"
    assert ChartSource([cache]).locate("widget", "1.2.4", "oci://registry.example/charts").path is None


def test_a_directory_whose_chart_is_another_version_is_not_taken(tmp_path):
    cache = chart_cache(tmp_path)
    (cache / "widget-1.2.3").rename(cache / "widget-9.9.9")
    assert ChartSource([cache]).locate("widget", "9.9.9", "oci://registry.example/charts").path is None


def test_a_packaged_chart_in_the_cache_is_found(tmp_path):
    cache = chart_cache(tmp_path, archive=True)
    found = ChartSource([cache]).locate("widget", "1.2.3", "oci://registry.example/charts")
    assert found.path == cache / "widget-1.2.3.tgz"


def test_the_environment_names_caches(tmp_path, monkeypatch):
    cache = chart_cache(tmp_path)
    monkeypatch.setenv(CHARTS_ENV, f"{tmp_path / 'elsewhere'}:{cache}")
    source = ChartSource.from_env()
    assert source.cache_dirs == [tmp_path / "elsewhere", cache]
    assert source.locate("widget", "1.2.3", "oci://x/charts").path == cache / "widget-1.2.3"


def test_without_pulling_a_missing_chart_says_where_it_looked(tmp_path):
    found = ChartSource([tmp_path]).locate("widget", "1.2.3", "oci://registry.example/charts")
    assert found.path is None
    assert "not in any chart cache" in found.origin and str(tmp_path) in found.origin and "pulling from the mirror: off" in found.origin


def test_an_unreachable_mirror_is_named_in_the_reason(tmp_path):
    # Nothing listens on port 9 of the loopback address: the Helm SDK's pull fails at once.
    source = ChartSource([], pull=True, pull_dir=tmp_path / "pulled")
    found = source.locate("widget", "1.2.3", "oci://127.0.0.1:9/charts")
    assert found.path is None
    assert found.origin.startswith("not in any chart cache, and the mirror could not give oci://127.0.0.1:9/charts/widget:1.2.3 (")
    assert "connection refused" in found.origin
