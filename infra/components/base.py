"""Small helpers every component uses."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from privllm.stack import StackConfig


def mirror_chart(
    name: str,
    cfg: StackConfig,
    key: str,
    *,
    namespace: str,
    values: dict,
    opts: pulumi.ResourceOptions,
    release: str | None = None,
) -> k8s.helm.v4.Chart:
    """A third-party chart from the stack's chart mirror, pinned by version.

    ``release`` names the Helm release (the charts derive object names from it); without it,
    Pulumi names the release after the resource.
    """
    chart = cfg.mirror.charts[key]
    repo = cfg.mirror.chart_repository
    named = {"name": release} if release else {}
    if repo.startswith("oci://"):
        return k8s.helm.v4.Chart(name, chart=f"{repo}/{chart.name}", version=chart.version, namespace=namespace, values=values, opts=opts, **named)
    return k8s.helm.v4.Chart(
        name,
        chart=chart.name,
        version=chart.version,
        namespace=namespace,
        values=values,
        repository_opts=k8s.helm.v4.RepositoryOptsArgs(repo=repo),
        opts=opts,
        **named,
    )


def mirror_image(cfg: StackConfig, key: str) -> dict:
    """``{repository, tag}`` of a catalogue image, in the mirror, with the digest when known."""
    img = cfg.mirror.images[key]
    tag = f"{img.tag}@{img.digest}" if img.digest else img.tag
    return {"repository": f"{cfg.mirror.image_registry}/{img.repository}", "tag": tag}


def in_namespace(parent: pulumi.Resource, namespaces: dict | None, namespace: str, *more: pulumi.Resource) -> pulumi.ResourceOptions:
    """Options for a child of ``parent`` that lives in ``namespace``: created after the namespace."""
    deps = [namespaces[namespace]] if namespaces and namespace in namespaces else []
    return pulumi.ResourceOptions(parent=parent, depends_on=deps + list(more))
