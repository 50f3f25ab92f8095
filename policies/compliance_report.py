"""Compliance reports in every review format: table, JSON, SARIF, HTML and Markdown."""

from __future__ import annotations

import html
import io
import json

from privllm.policies.compliance import STATUSES, ComplianceReport

_MARK = {"met": "met", "failed": "FAILED", "not-evaluated": "not evaluated", "kit-provided": "kit-provided", "not-covered": "not covered"}
_EXPLAIN = {
    "met": "every policy that checks it applied and passed",
    "failed": "a policy that checks it has findings",
    "not-evaluated": "its policies applied to nothing in this plan",
    "kit-provided": "provided by the kit at run time; no plan object shows it",
    "not-covered": "outside the kit: the organisation's own process must meet it",
}


def _evidence(c) -> str:
    parts = [f"{p['id']} {p['status']}" for p in c.policies]
    parts += [f"{r['id']} ({r['implemented_by']})" for r in c.runtime]
    return "; ".join(parts)


def as_json(reports: list[ComplianceReport]) -> dict:
    return {"compliance": [r.as_dict() for r in reports]}


def as_markdown(reports: list[ComplianceReport]) -> str:
    lines = []
    for r in reports:
        counts = r.counts()
        lines += [f"## {r.framework.name}", "", f"Source: {r.framework.source}", ""]
        lines.append(" · ".join(f"{_MARK[s]}: {counts[s]}" for s in STATUSES))
        lines += ["", "| control | status | evidence |", "| --- | --- | --- |"]
        for c in r.controls:
            title = c.title.replace("|", "\\|")
            lines.append(f"| **{c.id}** {title} | {_MARK[c.status]} | {_evidence(c) or _EXPLAIN[c.status]} |")
        lines.append("")
    return "\n".join(lines)


def as_table(reports: list[ComplianceReport]) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=160, force_terminal=False, color_system=None)
    for r in reports:
        table = Table(title=escape(r.framework.name), caption=escape(r.framework.source), expand=True)
        for column in ("control", "status", "evidence"):
            table.add_column(column, overflow="fold")
        for c in r.controls:
            table.add_row(escape(f"{c.id} {c.title}"), _MARK[c.status], escape(_evidence(c) or _EXPLAIN[c.status]))
        console.print(table)
        counts = r.counts()
        console.print(escape(", ".join(f"{_MARK[s]} {counts[s]}" for s in STATUSES)))
    return buffer.getvalue()


def as_html(reports: list[ComplianceReport]) -> str:
    """A section to place inside the review's HTML report (self-contained: no external assets)."""
    out = ['<section id="compliance"><h2>Compliance mapping</h2>']
    for r in reports:
        counts = r.counts()
        out.append(f"<h3>{html.escape(r.framework.name)}</h3><p>{html.escape(r.framework.source)}</p>")
        out.append("<p>" + " · ".join(f"{_MARK[s]}: {counts[s]}" for s in STATUSES) + "</p>")
        out.append("<table><thead><tr><th>control</th><th>status</th><th>evidence</th></tr></thead><tbody>")
        for c in r.controls:
            findings = "".join(f"<li>{html.escape(f['policy'])}: {html.escape(f['message'])}</li>" for f in c.findings)
            evidence = html.escape(_evidence(c) or _EXPLAIN[c.status]) + (f"<ul>{findings}</ul>" if findings else "")
            out.append(
                f'<tr class="{c.status}"><td><b>{html.escape(c.id)}</b> {html.escape(c.title)}</td>'
                f"<td>{_MARK[c.status]}</td><td>{evidence}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append("</section>")
    return "".join(out)


def html_document(reports: list[ComplianceReport]) -> str:
    css = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
        "vertical-align:top}tr.failed td{background:#fdd}tr.met td:nth-child(2){color:#060}tr.not-covered td{color:#666}"
    )
    return f"<!doctype html><html><head><meta charset='utf-8'><title>privllm compliance</title><style>{css}</style></head><body>{as_html(reports)}</body></html>"


def attach(text: str, fmt: str, reports: list[ComplianceReport]) -> str:
    """The review report in ``fmt`` with the compliance result added in the same format."""
    if not reports:
        return text
    if fmt == "json":
        data = json.loads(text)
        data["compliance"] = as_json(reports)["compliance"]
        return json.dumps(data, indent=2)
    if fmt == "sarif":
        # SARIF results stay the findings; the per-control answer rides in the run's property bag.
        data = json.loads(text)
        data["runs"][0].setdefault("properties", {})["privllm.compliance"] = as_json(reports)["compliance"]
        return json.dumps(data, indent=2)
    if fmt == "html":
        head, sep, tail = text.rpartition("</body>")
        return (head + as_html(reports) + sep + tail) if sep else text + as_html(reports)
    if fmt == "md":
        return text.rstrip("\n") + "\n\n# Compliance\n\n" + as_markdown(reports)
    return text.rstrip("\n") + "\n\n" + as_table(reports)
