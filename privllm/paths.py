"""Where the kit's own files live (one place, so the CLI works from any directory)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
CHARTS = ROOT / "charts"
POLICIES = ROOT / "policies"
RUNBOOKS = ROOT / "runbooks"
DEFAULT_STACK = "reference"
