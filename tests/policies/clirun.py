"""Run `privllm review` in-process on files written for a test; the report comes back parsed."""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from privllm.cli import app


@dataclass
class Outcome:
    code: int
    report: dict | None
    output: str

    @property
    def ids(self) -> set[str]:
        return {f["id"] for f in (self.report or {}).get("findings", [])}


def review_files(tmp_path: Path, files: dict[str, str], *args: str) -> Outcome:
    folder = tmp_path / "manifests"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return review_dir(folder, tmp_path / "report.json", *args)


def review_dir(folder: Path, report: Path, *args: str) -> Outcome:
    if report.exists():
        report.unlink()
    result = CliRunner().invoke(app, ["review", "--manifests", str(folder), "--format", "json", "--output", str(report), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("the review raised instead of reporting:\n" + "".join(traceback.format_exception(result.exception)))
    return Outcome(result.exit_code, json.loads(report.read_text()) if report.exists() else None, result.output)
