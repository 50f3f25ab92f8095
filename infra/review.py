"""Plan a stack offline and review everything it would deploy: the plan (infra) feeding the
policy review (policies), so the review itself never imports the Pulumi program."""

from __future__ import annotations

from privllm.infra.plan import build, cloud_inventory, status
from privllm.policies.documents import cloud_documents, stack_document
from privllm.policies.params import review_params
from privllm.policies.review import Review, review, reviewables


def review_stack(cfg, name: str, charts=None) -> Review:
    """Plan the stack offline and review everything it would deploy, the stack itself included."""
    return review_plan(build(cfg, name, charts))


def review_plan(plan) -> Review:
    """Review a plan already built (tests share one per session), the stack itself included."""
    docs = plan.objects + cloud_documents(cloud_inventory(plan)) + [stack_document(plan.cfg, plan.stack)]
    items, skipped = reviewables(docs, f"plan:{plan.stack}")
    result = review(items, review_params(plan.cfg), exemptions=list(plan.cfg.review.exemptions), skipped=skipped)
    result.plan = status(plan)
    return result
