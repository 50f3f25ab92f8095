"""privllm review vs checkov on the same rendered reference plan, cold processes, median of 3.

Run: python bench/review_vs_checkov.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, peer, time_command
from policies.catalog import load_all
from policies.documents import read_directory
from policies.review import review


def main() -> None:
    checkov = peer("checkov", "checkov==3.3.30", "checkov")
    with tempfile.TemporaryDirectory(prefix="privllm-bench-") as tmp:
        out = Path(tmp) / "plan"
        plan = subprocess.run([sys.executable, "-m", "privllm.cli", "plan", "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
        if plan.returncode != 0:
            raise SystemExit(plan.stderr)
        manifests = out / "manifests"
        count = sum(1 for f in manifests.rglob("*.yaml") for doc in f.read_text().split("\n---\n") if doc.strip())
        ours, r = time_command([sys.executable, "-m", "privllm.cli", "review", "--manifests", str(manifests), "--format", "json"], cwd=ROOT)
        findings = len(json.loads(r.stdout)["findings"])
        theirs, c = time_command([str(checkov), "-d", str(manifests), "--framework", "kubernetes", "--quiet", "--compact", "-o", "json", "--skip-download"])
        intake = read_directory(manifests)
        started = time.perf_counter()
        review(intake.items, skipped=intake.skipped)
        in_process = time.perf_counter() - started
    policies = len(load_all())
    print(f"{count} Kubernetes objects (the rendered reference plan)")
    print(f"privllm review: {ours:.2f} s (median of 3 cold runs, {findings} findings, {policies} policies)")
    print(f"checkov 3.3.30: {theirs:.2f} s (median of 3 cold runs, exit {c.returncode})")
    print(f"ratio: privllm review is {theirs / ours:.1f}x faster (goal: at least 10x)")
    print(f"(in-process, the review alone takes {in_process:.2f} s; the rest of a cold run is Python and CLI start-up)")


if __name__ == "__main__":
    main()
