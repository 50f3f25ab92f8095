"""Red-team reports: a table for people, JSON, SARIF and a self-contained HTML page with charts.

Reports name probes by id and say which output field leaked; they never carry the payloads or the
values that leaked.
"""

from __future__ import annotations

import html
import io
import json

from privllm.redteam.runner import Gate, Run


def summary(run: Run, gate: Gate) -> dict:
    families = []
    for f in run.families:
        passed, why = gate.verdict(f)
        families.append({
            "family": f.family, "description": f.description, "passed": passed, "verdict": why, "skipped": f.skipped,
            "attacks": f.attacks, "defended": f.count("attack", "defended"), "breached": f.count("attack", "breached"),
            "benign": f.benign, "answered": f.count("benign", "answered"), "refused": f.count("benign", "refused"),
            "errors": f.errors, "defended_rate": f.defended_rate, "false_refusal_rate": f.false_refusal_rate,
            "threshold": gate.thresholds.get(f.family, gate.default_threshold),
        })
    return {
        "target": run.target, "suite_version": run.suite_version, "requests": run.requests, "incomplete": run.incomplete,
        "passed": all(f["passed"] for f in families) and not run.incomplete, "families": families,
    }


def to_json(run: Run, gate: Gate) -> str:
    data = summary(run, gate)
    data["probes"] = [
        {"id": p.id, "family": p.family, "kind": p.kind, "outcome": p.outcome, "status": p.status, "detail": p.detail}
        for f in run.families for p in f.probes
    ]
    return json.dumps(data, indent=2)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def to_table(run: Run, gate: Gate) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    data = summary(run, gate)
    buffer = io.StringIO()
    console = Console(file=buffer, width=160, force_terminal=False, color_system=None)
    table = Table(title=escape(f"privllm redteam {data['target']} (suite {data['suite_version']}, {data['requests']} requests)"), expand=True)
    for column in ("family", "attacks", "defended", "breached", "benign", "refused", "errors", "gate"):
        table.add_column(column, overflow="fold")
    for f in data["families"]:
        table.add_row(
            escape(f["family"]), str(f["attacks"]), f"{f['defended']} ({_pct(f['defended_rate'])})", str(f["breached"]),
            str(f["benign"]), f"{f['refused']} ({_pct(f['false_refusal_rate'])})", str(f["errors"]),
            escape(("PASS " if f["passed"] else "FAIL ") + f["verdict"]),
        )
    console.print(table)
    breached = [p for f in run.families for p in f.probes if p.outcome in ("breached", "refused")]
    for p in breached:
        console.print(escape(f"{p.outcome.upper():9} {p.family}/{p.id}: {p.detail}"))
    if run.incomplete:
        console.print(escape(f"INCOMPLETE: {run.incomplete}"))
    console.print("release gate: " + ("PASS" if data["passed"] else "FAIL"))
    return buffer.getvalue()


def to_sarif(run: Run, gate: Gate) -> str:
    data = summary(run, gate)
    rules = [{"id": f"redteam/{f['family']}", "shortDescription": {"text": f["description"]}} for f in data["families"]]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for f in run.families:
        for p in f.probes:
            if p.outcome not in ("breached", "refused", "error"):
                continue
            rule = f"redteam/{f.family}"
            level = {"breached": "error", "refused": "warning", "error": "warning"}[p.outcome]
            results.append({
                "ruleId": rule, "ruleIndex": index[rule], "level": level,
                "message": {"text": f"{p.id}: {p.outcome} ({p.detail})"},
                "locations": [{"logicalLocations": [{"name": p.id, "fullyQualifiedName": f"{run.target}#{f.family}/{p.id}", "kind": "probe"}]}],
            })
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "privllm-redteam", "version": run.suite_version, "rules": rules}}, "results": results,
                  "properties": {"privllm.redteam": data}}],
    }
    return json.dumps(sarif, indent=2)


def _bar(f: dict, width: int = 320) -> str:
    """One stacked bar for attacks (defended, breached, errors) and one for benign (answered, refused)."""
    def stack(parts: list[tuple[int, str]], total: int, y: int) -> str:
        x, out = 0.0, []
        for count, colour in parts:
            w = width * count / total if total else 0
            if w:
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="14" fill="{colour}"/>')
            x += w
        return "".join(out) or f'<rect x="0" y="{y}" width="{width}" height="14" fill="#eee"/>'

    attacks = stack([(f["defended"], "#2e7d32"), (f["breached"], "#c62828"), (f["errors"], "#f9a825")], f["attacks"] or 1, 0)
    benign = stack([(f["answered"], "#1565c0"), (f["refused"], "#ef6c00")], f["benign"] or 1, 20)
    return f'<svg width="{width}" height="36" role="img" aria-label="{html.escape(f["family"])}">{attacks}{benign}</svg>'


def to_html(run: Run, gate: Gate) -> str:
    data = summary(run, gate)
    rows = []
    for f in data["families"]:
        verdict = ("PASS" if f["passed"] else "FAIL") + " - " + f["verdict"]
        rows.append(
            f'<tr class="{"pass" if f["passed"] else "fail"}"><td><b>{html.escape(f["family"])}</b><br><small>{html.escape(f["description"])}</small></td>'
            f'<td>{_bar(f)}</td><td>{f["defended"]}/{f["attacks"]} defended ({_pct(f["defended_rate"])})<br>'
            f'{f["refused"]}/{f["benign"]} benign refused ({_pct(f["false_refusal_rate"])})</td><td>{html.escape(verdict)}</td></tr>'
        )
    probes = "".join(
        f"<tr><td>{html.escape(p.family)}</td><td>{html.escape(p.id)}</td><td>{p.kind}</td><td>{p.outcome}</td><td>{p.status}</td><td>{html.escape(p.detail)}</td></tr>"
        for f in run.families for p in f.probes
    )
    css = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;"
        "padding:4px 8px;vertical-align:top}tr.fail td:last-child{color:#c62828;font-weight:bold}tr.pass td:last-child{color:#2e7d32}"
    )
    legend = "green defended · red breached · yellow error (top bar: attacks); blue answered · orange refused (bottom bar: benign)"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>privllm redteam</title><style>{css}</style></head><body>"
        f"<h1>Red-team report: {'PASS' if data['passed'] else 'FAIL'}</h1>"
        f"<p>Target {html.escape(run.target)} · suite {html.escape(run.suite_version)} · {run.requests} requests"
        f"{' · INCOMPLETE: ' + html.escape(run.incomplete) if run.incomplete else ''}</p><p><small>{legend}</small></p>"
        f"<table><thead><tr><th>family</th><th>result</th><th>counts</th><th>gate</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<h2>Probes</h2><table><thead><tr><th>family</th><th>probe</th><th>kind</th><th>outcome</th><th>status</th><th>detail</th></tr></thead>"
        f"<tbody>{probes}</tbody></table></body></html>"
    )


FORMATS = {"table": to_table, "json": to_json, "sarif": to_sarif, "html": to_html}


