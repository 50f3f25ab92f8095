"""`sha256sum --check` for model weights, at line rate, with the manifest itself pinned.

Runs in the verify-weights init container (mounted from the chart's ConfigMap; python3 is
in the vLLM image). Differences from coreutils, each for a reason:
- the manifest's own SHA-256 must equal the digest recorded in the stack, so a manifest
  rewritten next to tampered weights is caught, not only corruption;
- files are hashed in parallel (hashlib is OpenSSL-backed and releases the GIL on large
  buffers), one file per worker;
- weight or code files in the directory that the manifest does not list are refused
  (vLLM would load them unverified);
- with --copy-to, each file is copied to node-local storage while it is hashed, so the
  server then loads from NVMe and remote storage is read once; a copy that already carries
  this manifest's digest is re-verified locally instead of re-read.
Exit 0 verified, 1 mismatch or missing file, 2 usage.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

CHUNK = 8 * 1024 * 1024
# Suffixes vLLM loads as weights or code; every one present must be vouched for by the manifest.
LOADABLE = (".safetensors", ".bin", ".pt", ".pth", ".gguf", ".py", ".json", ".model", ".tiktoken")
CACHE_MARKER = ".privllm-verified-manifest"


class Mismatch(Exception):
    pass


def parse_manifest(text: str, name: str) -> dict[str, str]:
    """path -> expected hex digest, from `sha256sum` output (text or binary mode lines)."""
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, path = line.partition(" ")
        path = path[1:] if path[:1] in (" ", "*") else path
        pure = PurePosixPath(path)
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest.lower()):
            raise Mismatch(f"{name}:{number}: not a sha256sum line: {line[:80]!r}")
        if pure.is_absolute() or ".." in pure.parts or not path:
            raise Mismatch(f"{name}:{number}: path {path!r} leaves the weights directory")
        entries[path] = digest.lower()
    if not entries:
        raise Mismatch(f"{name}: lists no files")
    return entries


def hash_file(source: Path, copy_to: Path | None = None) -> str:
    h = hashlib.sha256()
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    out = None
    if copy_to is not None:
        copy_to.parent.mkdir(parents=True, exist_ok=True)
        out = open(copy_to.with_name(copy_to.name + ".partial"), "wb")  # noqa: SIM115 - closed below, renamed on success
    try:
        with open(source, "rb", buffering=0) as f:
            while n := f.readinto(buf):
                h.update(view[:n])
                if out is not None:
                    out.write(view[:n])
    finally:
        if out is not None:
            out.close()
    return h.hexdigest()


def verify(root: Path, manifest: str, expected_manifest_sha256: str, workers: int, copy_to: Path | None = None) -> int:
    """Files verified; raises Mismatch naming the first problem."""
    manifest_path = root / manifest
    try:
        raw = manifest_path.read_bytes()
    except OSError as exc:
        raise Mismatch(f"{manifest_path}: cannot read the checksum manifest ({exc.strerror})") from None
    actual = hashlib.sha256(raw).hexdigest()
    if expected_manifest_sha256 and actual != expected_manifest_sha256.removeprefix("sha256:").lower():
        raise Mismatch(f"{manifest_path}: sha256 {actual} is not the digest recorded in the stack ({expected_manifest_sha256})")
    entries = parse_manifest(raw.decode("utf-8", "replace"), str(manifest_path))
    listed = set(entries) | {manifest}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and path.suffix in LOADABLE and rel not in listed and not rel.startswith("."):
            raise Mismatch(f"{root / rel}: not listed in {manifest}; vLLM would load it unverified")
    source = root
    if copy_to is not None and (copy_to / CACHE_MARKER).is_file() and (copy_to / CACHE_MARKER).read_text().strip() == actual:
        source, copy_to = copy_to, None  # a node-local copy of exactly this manifest: verify it, skip the remote read

    def one(rel: str) -> None:
        target = copy_to / rel if copy_to is not None else None
        try:
            digest = hash_file(source / rel, target)
        except OSError as exc:
            raise Mismatch(f"{source / rel}: {exc.strerror}") from None
        if digest != entries[rel]:
            raise Mismatch(f"{source / rel}: sha256 {digest} does not match {manifest} ({entries[rel]})")
        if target is not None:
            os.replace(target.with_name(target.name + ".partial"), target)

    # Largest first, so one big file does not start last and set the wall time.
    order = sorted(entries, key=lambda rel: -((source / rel).stat().st_size if (source / rel).exists() else 0))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for result in pool.map(one, order):
            del result
    if copy_to is not None:
        shutil.copyfile(manifest_path, copy_to / manifest)
        (copy_to / CACHE_MARKER).write_text(actual + "\n")
    return len(entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sha256sums.py", description="Verify model weights against a pinned SHA256SUMS manifest.")
    parser.add_argument("--check", required=True, metavar="MANIFEST", help="manifest file name, relative to --dir")
    parser.add_argument("--dir", required=True, type=Path, help="weights directory")
    parser.add_argument("--manifest-sha256", default="", help="expected sha256 of the manifest itself (hex or sha256:hex)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 4)
    parser.add_argument("--copy-to", type=Path, help="node-local cache directory to fill while hashing")
    args = parser.parse_args(argv)
    try:
        count = verify(args.dir, args.check, args.manifest_sha256, args.workers, args.copy_to)
    except Mismatch as exc:
        print(f"weights NOT verified: {exc}", file=sys.stderr)
        return 1
    where = f", cached in {args.copy_to}" if args.copy_to else ""
    print(f"weights verified: {count} files against {args.check} (manifest sha256 pinned: {'yes' if args.manifest_sha256 else 'no'}){where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
