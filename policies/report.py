"""Review reports: table (terminal), JSON, SARIF 2.1.0, HTML (six-layer picture), Markdown."""

from __future__ import annotations

import html
import io
import json

from policies.catalog import LAYERS
from policies.review import Review

SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
STATUS_COLOUR = {"met": "#2e7d32", "failed": "#c62828", "exempted": "#ef6c00", "not-applicable": "#9e9e9e"}


def _resource(r: dict) -> str:
    ns = f"{r['namespace']}/" if r.get("namespace") else ""
    name = r.get("name") or f"(unnamed, {r.get('source') or 'no source'})"
    path = f" at {r['path']}" if r.get("path") else ""
    return f"{r['kind']}/{ns}{name}{path}"


def _exemption(e: dict | None) -> str:
    return f"exempted by {e['owner']}: {e['reason']}" if e else ""


def _why(e: dict | None) -> tuple[str, str]:
    return (e["reason"], e["owner"]) if e else ("", "")


def _scope_lines(review: Review) -> list[str]:
    """What was reviewed and what was not, as plain lines for the text formats."""
    scope = review.scope()
    kinds = ", ".join(f"{k} {n}" for k, n in scope["objects_by_kind"].items()) or "none"
    lines = [f"Reviewed objects by kind: {kinds}."]
    if scope["pod_specs_in_custom_resources"]:
        lines.append(f"Pod specs found inside custom resources: {len(scope['pod_specs_in_custom_resources'])} (reviewed as pods of their owner).")
    if scope["kinds_no_policy_examines"]:
        lines.append(f"Kinds no policy examines: {', '.join(scope['kinds_no_policy_examines'])}.")
    if review.skipped:
        lines.append(f"NOT REVIEWED ({len(review.skipped)} documents skipped):")
        lines += [f"  {s.source}: {s.reason}" for s in review.skipped]
    return lines


def to_json(review: Review) -> str:
    return json.dumps(
        {
            "documents": review.documents,
            "errors": review.errors,
            "scope": review.scope(),
            "findings": [f.as_dict() for f in review.findings],
            "exempted": [f.as_dict() for f in review.exempted],
            "summary": {LAYERS[layer]: counts for layer, counts in review.by_layer().items()},
            "policies": [
                {"id": r.policy.id, "layer": r.policy.layer, "title": r.policy.title, "status": r.status, "controls": list(r.policy.controls)}
                for r in review.results
            ],
            "coverage": review.coverage(),
        },
        indent=2,
    )


def to_table(review: Review) -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=160, force_terminal=False, color_system=None)
    findings = review.findings
    for layer, name in LAYERS.items():
        rows = [f for f in findings if f.layer == layer]
        if not rows:
            continue
        table = Table(title=f"Layer {layer}: {name}", show_lines=False, expand=True)
        for column in ("id", "severity", "resource", "message"):
            table.add_column(column, overflow="fold")
        for f in rows:
            table.add_row(f.id, f.severity, _resource(f.resource), f.message)
        console.print(table)
    if review.exempted:
        # Plain lines, not a table: a reason must stay greppable, never folded across cells.
        console.print(f"Exempted, not counted ({len(review.exempted)}):", markup=False, highlight=False)
        for f in review.exempted:
            console.print(f"  {f.id} {_resource(f.resource)}: {f.message} -- {_exemption(f.exemption)}", markup=False, highlight=False, soft_wrap=True)
    summary = Table(title=f"Summary ({review.documents} documents reviewed)")
    for column in ("layer", "policies met", "failed", "exempted", "not applicable", "findings"):
        summary.add_column(column)
    for layer, counts in review.by_layer().items():
        summary.add_row(
            f"{layer} {LAYERS[layer]}", str(counts["met"]), str(counts["failed"]), str(counts["exempted"]), str(counts["not-applicable"]), str(counts["findings"])
        )
    console.print(summary)
    for line in _scope_lines(review):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    for error in review.errors:
        console.print(f"ENGINE ERROR (review failed): {error}")
    if not findings and not review.errors:
        console.print("No findings.")
    return buffer.getvalue()


def to_markdown(review: Review) -> str:
    lines = ["# privllm security review", "", f"{review.documents} documents reviewed.", ""]
    lines += [f"- {line.strip()}" for line in _scope_lines(review)] + [""]
    lines += ["| layer | met | failed | exempted | not applicable | findings |", "| --- | --- | --- | --- | --- | --- |"]
    for layer, c in review.by_layer().items():
        lines.append(f"| {layer} {LAYERS[layer]} | {c['met']} | {c['failed']} | {c['exempted']} | {c['not-applicable']} | {c['findings']} |")
    lines += ["", "## Findings", ""]
    if review.findings:
        lines += ["| id | severity | resource | message |", "| --- | --- | --- | --- |"]
        lines += [f"| {f.id} | {f.severity} | {_resource(f.resource)} | {f.message} |" for f in review.findings]
    else:
        lines.append("None.")
    if review.exempted:
        lines += ["", "## Exempted (not counted)", "", "| id | resource | message | reason | owner |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {f.id} | {_resource(f.resource)} | {f.message} | {' | '.join(_why(f.exemption))} |" for f in review.exempted]
    lines += ["", "## Coverage of external controls", "", "| control | policies |", "| --- | --- |"]
    lines += [f"| {c} | {', '.join(ids)} |" for c, ids in review.coverage().items()]
    if review.errors:
        lines += ["", "## Engine errors (the review failed)", ""] + [f"- {e}" for e in review.errors]
    return "\n".join(lines) + "\n"


def to_sarif(review: Review) -> str:
    rules = [
        {
            "id": r.policy.id,
            "name": r.policy.folder.name,
            "shortDescription": {"text": r.policy.title},
            "fullDescription": {"text": r.policy.description},
            "defaultConfiguration": {"level": SARIF_LEVEL[r.policy.severity]},
            "properties": {"layer": r.policy.layer, "severity": r.policy.severity, "tags": list(r.policy.controls)},
        }
        for r in review.results
    ]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = [_sarif_result(f, index) for f in review.all_findings]
    run = {
        "tool": {"driver": {"name": "privllm-review", "informationUri": "https://privllm.internal/review", "rules": rules}},
        "results": results,
        "invocations": [
            {
                "executionSuccessful": not review.errors,
                "toolExecutionNotifications": [{"level": "error", "message": {"text": e}} for e in review.errors]
                + [{"level": "warning", "message": {"text": f"not reviewed: {s.source}: {s.reason}"}} for s in review.skipped],
            }
        ],
        "properties": {"scope": review.scope()},
    }
    return json.dumps({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}, indent=2)


def _sarif_result(f, index: dict) -> dict:
    result = {
        "ruleId": f.id,
        "ruleIndex": index[f.id],
        "level": SARIF_LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [{"logicalLocations": [{"name": f.resource["name"] or f.resource.get("source", ""), "fullyQualifiedName": _resource(f.resource), "kind": "resource"}]}],
    }
    if f.exemption:
        # SARIF's own way to say "found, and deliberately accepted": code scanning shows it dismissed.
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f.exemption["reason"], "properties": {"owner": f.exemption["owner"]}}]
    return result


def to_html(review: Review) -> str:
    esc = html.escape
    summary = review.by_layer()
    columns = []
    for layer, name in LAYERS.items():
        cells = "".join(
            f'<div class="cell" style="background:{STATUS_COLOUR[r.status]}" title="{esc(r.policy.id)}: {esc(r.policy.title)} ({r.status})">'
            f"{esc(r.policy.id.removeprefix('PLLM-'))}</div>"
            for r in review.results
            if r.policy.layer == layer
        )
        c = summary[layer]
        columns.append(
            f'<div class="layer"><h3>{layer}. {esc(name)}</h3><div class="cells">{cells}</div>'
            f'<p>{c["met"]} met, {c["failed"]} failed, {c["exempted"]} exempted, {c["not-applicable"]} n/a</p></div>'
        )
    rows = "".join(
        f"<tr><td>{esc(f.id)}</td><td class='sev-{f.severity}'>{esc(f.severity)}</td><td>{esc(_resource(f.resource))}</td>"
        f"<td>{esc(f.message)}</td><td>{esc(', '.join(f.controls))}</td></tr>"
        for f in review.findings
    )
    exempted = "".join(
        f"<tr><td>{esc(f.id)}</td><td>{esc(_resource(f.resource))}</td><td>{esc(f.message)}</td>"
        f"<td>{esc(_why(f.exemption)[0])}</td><td>{esc(_why(f.exemption)[1])}</td></tr>"
        for f in review.exempted
    )
    scope = "".join(f"<li>{esc(line.strip())}</li>" for line in _scope_lines(review))
    coverage = "".join(f"<tr><td>{esc(c)}</td><td>{esc(', '.join(ids))}</td></tr>" for c, ids in review.coverage().items())
    errors = "".join(f"<li>{esc(e)}</li>" for e in review.errors)
    verdict = "FAILED: engine errors" if review.errors else (f"{len(review.findings)} findings" if review.findings else "No findings")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>privllm security review</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}}
.layers{{display:grid;grid-template-columns:repeat(6,1fr);gap:1rem}}
.layer{{border:1px solid #ccc;border-radius:6px;padding:.5rem}}
.layer h3{{margin:.2rem 0 .5rem;font-size:1rem}}
.cells{{display:flex;flex-wrap:wrap;gap:4px}}
.cell{{color:#fff;font-size:.7rem;padding:4px 6px;border-radius:3px}}
table{{border-collapse:collapse;margin-top:1rem;width:100%}}
td,th{{border:1px solid #ddd;padding:4px 8px;text-align:left;font-size:.85rem}}
.sev-critical,.sev-high{{color:#c62828;font-weight:bold}}
.legend span{{display:inline-block;padding:2px 8px;color:#fff;border-radius:3px;margin-right:6px}}
</style></head><body>
<h1>privllm security review</h1>
<p><strong>{esc(verdict)}</strong> across {review.documents} reviewed documents.</p>
<p class="legend"><span style="background:{STATUS_COLOUR['met']}">met</span><span style="background:{STATUS_COLOUR['failed']}">failed</span><span style="background:{STATUS_COLOUR['exempted']}">exempted</span><span style="background:{STATUS_COLOUR['not-applicable']}">not applicable</span></p>
<div class="layers">{''.join(columns)}</div>
{f'<h2>Engine errors</h2><ul>{errors}</ul>' if errors else ''}
<h2>What was reviewed</h2><ul>{scope}</ul>
<h2>Findings</h2>
<table><tr><th>id</th><th>severity</th><th>resource</th><th>message</th><th>controls</th></tr>{rows or '<tr><td colspan=5>None</td></tr>'}</table>
{f'<h2>Exempted (not counted)</h2><table><tr><th>id</th><th>resource</th><th>message</th><th>reason</th><th>owner</th></tr>{exempted}</table>' if exempted else ''}
<h2>Coverage of external controls</h2>
<table><tr><th>control</th><th>policies</th></tr>{coverage}</table>
</body></html>
"""


FORMATS = {"table": to_table, "json": to_json, "sarif": to_sarif, "html": to_html, "md": to_markdown}
