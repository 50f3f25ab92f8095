"""`privllm plan` of the reference stack, cold process, median of 5. Run: python bench/plan_speed.py"""

from __future__ import annotations

import sys
import tempfile

from bench.common import ROOT, time_command


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        seconds, result = time_command([sys.executable, "-m", "privllm.cli", "plan", "--out", out], runs=5, cwd=ROOT)
        if result.returncode != 0:
            raise SystemExit(result.stderr)
        objects = result.stdout.split("total: ")[1].split(" Kubernetes")[0]
    print(f"privllm plan (reference stack, {objects} Kubernetes objects, cold process): {seconds:.2f} s median of 5")


if __name__ == "__main__":
    main()
