"""plan.json: the machine-readable status a plan writes beside its manifests and the review reads
(complete or partial, per release, problems). Its format lives here, below both."""

from __future__ import annotations

import json
from pathlib import Path

from privllm.policies.documents import ReviewInputError

PLAN_STATUS = "plan.json"


def read_status(directory: Path) -> dict | None:
    """The status of a plan output directory (or of the plan whose manifests/ this is); None if it is no plan."""
    for candidate in (directory / PLAN_STATUS, directory.parent / PLAN_STATUS):
        if candidate.is_file():
            try:
                return json.loads(candidate.read_text())
            except ValueError:
                raise ReviewInputError(f"{candidate}: not valid JSON; re-run privllm plan") from None
    return None
