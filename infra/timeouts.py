"""How long `pulumi up` waits for components that come up slowly, applied as a Pulumi transform
to the components that need it (their children included, Helm-rendered objects too).

- Vault starts sealed: its pods are not Ready until an operator initialises it (or, later,
  auto-unseal runs), so waiting for readiness would fail every first deploy. Its chart is
  applied without waiting (skipAwait); `privllm vault bootstrap` is the readiness check.
- A model server loads its weights before it is Ready: a 70B model from S3 takes longer than
  Pulumi's ten-minute default. Model workloads get an explicit, longer timeout.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

MODEL_READY_TIMEOUT_SECONDS = 3600
SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait"
TIMEOUT_ANNOTATION = "pulumi.com/timeoutSeconds"
MODEL_WORKLOAD_TYPES = ("kubernetes:apps/v1:Deployment", "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet")
VAULT_CHART_SUFFIX = "-vault"


def _annotate(props: Mapping[str, Any], key: str, value: str) -> dict[str, Any]:
    metadata = dict(props.get("metadata") or {})
    metadata["annotations"] = {**(metadata.get("annotations") or {}), key: value}
    return {**props, "metadata": metadata}


def long_running(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if args.type_ == "kubernetes:helm.sh/v4:Chart" and args.name.endswith(VAULT_CHART_SUFFIX):
        return pulumi.ResourceTransformResult(props={**args.props, "skipAwait": True}, opts=args.opts)
    if args.type_ in MODEL_WORKLOAD_TYPES:
        timeout = f"{MODEL_READY_TIMEOUT_SECONDS}s"
        opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create=timeout, update=timeout)))
        return pulumi.ResourceTransformResult(props=_annotate(args.props, TIMEOUT_ANNOTATION, str(MODEL_READY_TIMEOUT_SECONDS)), opts=opts)
    return None
