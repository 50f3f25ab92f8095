"""Weights hashing: the chart's verifier (charts/vllm-server/files/sha256sums.py) vs coreutils
`sha256sum --check`, on the same files, side by side, printed as ratios.

Two cases: one file (both single-threaded: OpenSSL's SHA-256 against coreutils'), and a
directory of shards like a real checkpoint (the verifier hashes one file per worker;
`sha256sum --check` goes through the manifest one file at a time). Files are written once
and read warm from the page cache, so this measures hashing, not the disk.

Run: python bench/weights_hashing.py [--mib 1024] [--shards 4] [--workers 4]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, time_command  # noqa: E402

VERIFIER = ROOT / "charts/vllm-server/files/sha256sums.py"


def _write(path: Path, mib: int) -> None:
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as f:
        for _ in range(mib):
            f.write(block)


def _manifest(root: Path) -> str:
    lines = [f"{hashlib.file_digest(open(p, 'rb'), 'sha256').hexdigest()}  {p.name}\n" for p in sorted(root.glob("*.safetensors"))]
    (root / "SHA256SUMS").write_text("".join(lines))
    return hashlib.sha256((root / "SHA256SUMS").read_bytes()).hexdigest()


def _compare(label: str, root: Path, total_mib: int, workers: int) -> float:
    digest = _manifest(root)
    ours_cmd = [sys.executable, str(VERIFIER), "--check", "SHA256SUMS", "--dir", str(root), "--manifest-sha256", digest, "--workers", str(workers)]
    peer_cmd = ["sha256sum", "--check", "--strict", "--quiet", "SHA256SUMS"]
    ours, r1 = time_command(ours_cmd)
    peer, r2 = time_command(peer_cmd, cwd=root)
    if r1.returncode or r2.returncode:
        raise SystemExit(f"a verifier failed: {r1.stderr}{r2.stderr}")
    gb = total_mib * 1024 * 1024 / 1e9
    print(f"{label:<28} verifier {gb / ours:6.2f} GB/s ({ours:5.2f} s)   coreutils {gb / peer:6.2f} GB/s ({peer:5.2f} s)   "
          f"ratio {peer / ours:4.2f}x")
    return peer / ours


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=1024, help="total size of the weights")
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    if not shutil.which("sha256sum"):
        raise SystemExit("coreutils sha256sum is not installed: the peer is missing")
    print(f"weights hashing, {args.mib} MiB, warm page cache, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one"
        one.mkdir()
        _write(one / "model.safetensors", args.mib)
        _compare("1 file, 1 worker", one, args.mib, 1)
        shards = Path(tmp) / "shards"
        shards.mkdir()
        for i in range(args.shards):
            _write(shards / f"model-{i + 1:05d}-of-{args.shards:05d}.safetensors", args.mib // args.shards)
        ratio = _compare(f"{args.shards} shards, {args.workers} workers", shards, args.mib // args.shards * args.shards, args.workers)
    print(f"goal: the verifier at least as fast as coreutils on one file, faster by the worker count on shards: {ratio:.2f}x")


if __name__ == "__main__":
    main()
