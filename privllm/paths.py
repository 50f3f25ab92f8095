"""Where the kit's own files live (one place, so the CLI works from any directory)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The installed package privllm.<x> lives in the checkout's folder <x>/ (setup.py maps them; standard
# library only here, because setup.py reads this file before anything is installed).
PACKAGE_DIRS = {"privllm": "privllm", "privllm.infra": "infra", "privllm.policies": "policies", "privllm.serving": "serving"}
INFRA = ROOT / "infra"
CHARTS = ROOT / "charts"
POLICIES = ROOT / "policies"
RUNBOOKS = ROOT / "runbooks"
DEFAULT_STACK = "reference"
