"""Explicit waits: Vault's chart is not awaited (it starts sealed), model workloads get an hour."""

from __future__ import annotations

import pulumi
import pytest

from privllm.infra import program
from privllm.infra.plan import record
from privllm.infra.timeouts import MODEL_READY_TIMEOUT_SECONDS, TIMEOUT_ANNOTATION, long_running
from privllm.stack import load_stack


def _transform(type_: str, name: str, props: dict):
    return long_running(pulumi.ResourceTransformArgs(custom=True, type_=type_, name=name, props=props, opts=pulumi.ResourceOptions()))


def test_vault_chart_is_applied_without_waiting_for_readiness():
    result = _transform("kubernetes:helm.sh/v4:Chart", "privllm-ref-secrets-vault", {"chart": "oci://m/charts/vault"})
    assert result.props["skipAwait"] is True and result.props["chart"] == "oci://m/charts/vault"


def test_the_vault_csi_provider_chart_is_still_awaited():
    assert _transform("kubernetes:helm.sh/v4:Chart", "privllm-ref-secrets-vault-csi-provider", {}) is None


@pytest.mark.parametrize("kind", ["kubernetes:apps/v1:Deployment", "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet"])
def test_model_workloads_wait_an_hour(kind):
    result = _transform(kind, "llama-70b-vllm-server", {"metadata": {"name": "x", "annotations": {"keep": "me"}}, "spec": {}})
    assert result.props["metadata"]["annotations"] == {"keep": "me", TIMEOUT_ANNOTATION: str(MODEL_READY_TIMEOUT_SECONDS)}
    assert result.opts.custom_timeouts.create == f"{MODEL_READY_TIMEOUT_SECONDS}s"
    assert result.opts.custom_timeouts.update == f"{MODEL_READY_TIMEOUT_SECONDS}s"


def test_other_resources_are_untouched():
    assert _transform("kubernetes:core/v1:Service", "llm-gateway", {}) is None


def test_secrets_and_model_serving_carry_the_transform(monkeypatch):
    """The mock engine does not run transforms, so record which components the program gives it to."""
    seen = {}
    for cls_name in ("Secrets", "ModelServing", "Observability", "Gateway"):
        original = getattr(program, cls_name)

        def spy(name, args, opts=None, _original=original, _cls=cls_name):
            seen[_cls] = list(opts.transforms or []) if opts else []
            return _original(name, args, opts=opts)

        monkeypatch.setattr(program, cls_name, spy)
    record(load_stack("reference"), "reference")
    assert seen["Secrets"] == [long_running] and seen["ModelServing"] == [long_running]
    assert seen["Observability"] == [] and seen["Gateway"] == []
