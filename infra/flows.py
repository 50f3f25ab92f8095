"""Who may talk to whom, read from the rendered NetworkPolicies (not from a second description)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from privllm import facts

ANY = "anywhere"


@dataclass(frozen=True)
class Flow:
    source: str
    destination: str
    ports: str
    policy: str  # namespace/name of the NetworkPolicy that allows it


def _selector_name(selector: dict | None) -> str:
    labels = (selector or {}).get("matchLabels") or {}
    if not labels and not (selector or {}).get("matchExpressions"):
        return "*"
    name = labels.get(facts.LABEL_NAME)
    if name:
        instance = labels.get("app.kubernetes.io/instance")
        return f"{name}[{instance}]" if instance and instance != name else name
    for key in ("k8s-app", "app", "privllm.io/helm-test"):
        if key in labels:
            return labels[key] if key != "privllm.io/helm-test" else f"helm-test:{labels[key]}"
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _peer(peer: dict, own_ns: str) -> str:
    if "ipBlock" in peer:
        block = peer["ipBlock"]
        return block["cidr"] + (f" except {block['except']}" if block.get("except") else "")
    ns_sel = peer.get("namespaceSelector")
    if ns_sel is None:
        ns = own_ns
    else:
        ns = (ns_sel.get("matchLabels") or {}).get(facts.LABEL_NAMESPACE_NAME) or ("all-namespaces" if not ns_sel else _selector_name(ns_sel))
    return f"{ns}/{_selector_name(peer.get('podSelector'))}"


def _ports(rule: dict) -> str:
    ports = rule.get("ports") or []
    if not ports:
        return "all ports"
    return ",".join(f"{p.get('protocol', 'TCP')}/{p.get('port', 'all')}" for p in ports)


def flows(objects: list[dict]) -> list[Flow]:
    out: list[Flow] = []
    for obj in objects:
        if obj.get("kind") != "NetworkPolicy":
            continue
        meta, spec = obj["metadata"], obj.get("spec") or {}
        ns = meta.get("namespace", "default")
        selected = f"{ns}/{_selector_name(spec.get('podSelector'))}"
        policy = f"{ns}/{meta['name']}"
        for rule in spec.get("ingress") or []:
            peers = rule.get("from") or [None]
            for peer in peers:
                out.append(Flow(ANY if peer is None else _peer(peer, ns), selected, _ports(rule), policy))
        for rule in spec.get("egress") or []:
            peers = rule.get("to") or [None]
            for peer in peers:
                out.append(Flow(selected, ANY if peer is None else _peer(peer, ns), _ports(rule), policy))
    return sorted(set(out), key=lambda f: (f.source, f.destination, f.ports, f.policy))


def _node_id(name: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9]", "_", name)


def flows_markdown(items: list[Flow]) -> str:
    lines = [
        "# Allowed network flows",
        "",
        "Derived from the planned NetworkPolicies. Every namespace also has `default-deny`",
        "(ingress and egress); anything not listed here is refused.",
        "",
        "| source | destination | ports | allowed by |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {f.source} | {f.destination} | {f.ports} | {f.policy} |" for f in items]
    lines += ["", "```mermaid", "flowchart LR"]
    nodes = sorted({f.source for f in items} | {f.destination for f in items})
    lines += [f'  {_node_id(n)}["{n}"]' for n in nodes]
    edges: dict[tuple[str, str], set[str]] = {}
    for f in items:
        edges.setdefault((f.source, f.destination), set()).add(f.ports)
    for (src, dst), ports in sorted(edges.items()):
        lines.append(f'  {_node_id(src)} -->|"{"; ".join(sorted(ports))}"| {_node_id(dst)}')
    lines += ["```", ""]
    return "\n".join(lines)
