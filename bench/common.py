"""Helpers shared by the benchmarks: timing cold processes and peers in their own venvs."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".bench-venvs"


def peer(name: str, requirement: str, executable: str) -> Path:
    """Path of a peer's executable, installed into its own venv on first use."""
    venv = VENVS / name
    exe = venv / "bin" / executable
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", requirement], check=True)
    return exe


def time_command(cmd: list[str], runs: int = 3, **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    """Median wall time of `runs` cold runs of a command."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
        times.append(time.perf_counter() - started)
    return statistics.median(times), result
