"""Runbooks: one per alert (runbooks/<component>/<AlertName>.md), printed with a stack's real names."""

from __future__ import annotations

import re
from pathlib import Path

from privllm import facts
from privllm.paths import RUNBOOKS
from privllm.stack import StackConfig
from privllm.stack.naming import names

SECTIONS = ("Meaning", "Impact", "Diagnosis", "Mitigation", "Verification", "Escalation")
_PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


class RunbookError(ValueError):
    pass


def all_runbooks(root: Path = RUNBOOKS) -> dict[str, Path]:
    """Alert or incident name -> file."""
    return {p.stem: p for p in sorted(root.glob("*/*.md"))}


def values(cfg: StackConfig, stack: str, model: str | None = None) -> dict[str, str]:
    n = names(cfg)
    chosen = cfg.models[0] if model is None else next((m for m in cfg.models if model in (m.name, m.served_name)), None)
    if chosen is None:
        raise RunbookError(f"no model {model!r} in the stack; models: {', '.join(m.name for m in cfg.models)}")
    pool = cfg.pool(chosen.pool) if chosen.pool else None
    return {
        "stack": stack,
        "cluster": cfg.target.cluster_name,
        "gateway": n.gateway_fullname,
        "ns.gateway": n.gateway_ns,
        "ns.serving": n.serving_ns,
        "ns.vault": n.vault_ns,
        "ns.observability": n.observability_ns,
        "ns.gpu": n.gpu_ns,
        "ns.node_logs": n.node_logs_ns,
        "ns.csi": n.csi_ns,
        "ns.keda": n.keda_ns,
        "ns.policy": n.policy_ns,
        "model.release": chosen.name,
        "model.deployment": n.vllm_fullname(chosen.name),
        "model.served": chosen.served_name,
        "model.architecture": chosen.architecture,
        "model.quantization": chosen.quantization,
        "model.gpu": pool.gpu if pool else "h100-80gb",
        "model.max_model_len": str(chosen.max_model_len),
        **fact_values(),
    }


def fact_values() -> dict[str, str]:
    """Thresholds runbooks quote, from privllm.facts (never retyped in a runbook)."""
    return {
        "facts.burn_fast": f"{facts.BURN_RATE_FAST:g}x the budget over {' and '.join(facts.BURN_WINDOWS_FAST)}",
        "facts.burn_slow": f"{facts.BURN_RATE_SLOW:g}x over {' and '.join(facts.BURN_WINDOWS_SLOW)}",
        "facts.key_stale_alert_seconds": str(facts.KEY_STALE_ALERT_SECONDS),
        "facts.key_max_stale_seconds": str(facts.KEY_MAX_STALE_SECONDS),
        "facts.key_cache_ttl_seconds": str(facts.KEY_CACHE_TTL_SECONDS),
        "facts.ttft_objective_seconds": f"{facts.TTFT_OBJECTIVE_SECONDS:g}",
    }


def render(name: str, cfg: StackConfig, stack: str, model: str | None = None) -> str:
    books = all_runbooks()
    if name not in books:
        raise RunbookError(f"no runbook named {name!r}; `privllm runbook` lists them")
    known = values(cfg, stack, model)

    def substitute(match: re.Match) -> str:
        key = match.group(1)
        if key not in known:
            raise RunbookError(f"{books[name]}: unknown placeholder {{{{{key}}}}}")
        return known[key]

    return _PLACEHOLDER.sub(substitute, books[name].read_text())


def sections(text: str) -> list[str]:
    return re.findall(r"^## (\w+)", text, re.MULTILINE)
