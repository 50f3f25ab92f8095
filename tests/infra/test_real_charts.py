"""The pinned upstream charts, rendered with the kit's values, for every shipped stack.

Runs when a chart cache holding every pinned chart is named by PRIVLLM_CHARTS (charts are never
committed; `privllm plan --help` says how to fill a cache); skipped, with the reason, otherwise.
"""

from __future__ import annotations

import pytest

from infra.chart_source import CHARTS_ENV, ChartSource
from infra.plan import build, images
from privllm import facts
from privllm.stack import load_stack
from tests.conftest import SHIPPED_STACKS


def _missing() -> list[str]:
    source = ChartSource.from_env()
    return [f"{n}-{v}" for n, v in facts.CHART_PINS.items() if source.locate(n, v, "oci://unused").path is None]


pytestmark = pytest.mark.skipif(
    bool(_missing()),
    reason=f"no chart cache with every pinned chart ({CHARTS_ENV}); missing: {', '.join(_missing())}",
)


@pytest.fixture(scope="module", params=SHIPPED_STACKS)
def full(request):
    return build(load_stack(request.param), request.param, ChartSource.from_env())


def test_every_release_renders_and_the_cluster_can_come_up(full):
    assert not full.partial, full.partial_notice()
    assert full.problems == []
    assert full.unverified == []


def test_every_image_is_a_catalogue_image_in_the_mirror(full):
    catalogue = {full.cfg.mirror.image_ref(k) for k in full.cfg.mirror.images}
    assert set(images(full)) <= catalogue, set(images(full)) - catalogue


def test_the_review_passes_with_only_the_stacks_reasoned_exemptions(full):
    from policies.review import review_plan

    result = review_plan(full)
    assert result.errors == []
    assert [f"{f.id} {f.resource['kind']} {f.resource['namespace']}/{f.resource['name']}: {f.message}" for f in result.findings] == []
    assert result.exempted and all(f.exemption["reason"] and f.exemption["owner"] for f in result.exempted)
