"""The chart's weights verifier (charts/vllm-server/files/sha256sums.py) on real files: pinned
manifest, tampering, unlisted files, path escapes, parallel hashing and the node-local cache."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from privllm.paths import CHARTS

SCRIPT = CHARTS / "vllm-server/files/sha256sums.py"


def _module():
    spec = importlib.util.spec_from_file_location("privllm_chart_sha256sums", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sums = _module()


def run_verifier(container: dict, mount_at: dict[str, Path]) -> int:
    """Run the rendered init container's command with its container paths mapped to local directories."""
    assert container["command"][0] == "python3" and container["command"][1].endswith("/sha256sums.py")
    args = []
    for arg in container["args"]:
        for inside, local in mount_at.items():
            if arg == inside:
                arg = str(local)
        if arg == "/models/cache":
            arg = str(Path(next(iter(mount_at.values()))).parent / "node-cache")
        args.append(arg)
    return sums.main(args)


def _weights(root: Path, files: dict[str, bytes]) -> str:
    root.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
    (root / "SHA256SUMS").write_text("".join(lines))
    return hashlib.sha256((root / "SHA256SUMS").read_bytes()).hexdigest()


FILES = {"config.json": b"{}\n", "model-00001-of-00002.safetensors": b"a" * 100_000, "model-00002-of-00002.safetensors": b"b" * 70_000,
         "sub/tokenizer.json": b'{"v": 1}'}


def test_verifies_every_file_with_the_pinned_manifest(tmp_path, capsys):
    digest = _weights(tmp_path / "w", FILES)
    assert sums.main(["--check", "SHA256SUMS", "--dir", str(tmp_path / "w"), "--manifest-sha256", digest, "--workers", "3"]) == 0
    assert "4 files" in capsys.readouterr().out
    assert sums.main(["--check", "SHA256SUMS", "--dir", str(tmp_path / "w"), "--manifest-sha256", "sha256:" + digest]) == 0


def test_a_rewritten_manifest_is_refused_even_when_it_matches_the_files(tmp_path, capsys):
    pinned = _weights(tmp_path / "w", FILES)
    (tmp_path / "w" / "model-00001-of-00002.safetensors").write_bytes(b"tampered")
    _weights(tmp_path / "w", {**FILES, "model-00001-of-00002.safetensors": b"tampered"})  # attacker rewrites SHA256SUMS too
    assert sums.main(["--check", "SHA256SUMS", "--dir", str(tmp_path / "w"), "--manifest-sha256", pinned]) == 1
    assert "not the digest recorded in the stack" in capsys.readouterr().err


def test_a_corrupted_file_is_refused_by_name(tmp_path, capsys):
    digest = _weights(tmp_path / "w", FILES)
    (tmp_path / "w" / "model-00002-of-00002.safetensors").write_bytes(b"b" * 69_999 + b"c")
    assert sums.main(["--check", "SHA256SUMS", "--dir", str(tmp_path / "w"), "--manifest-sha256", digest]) == 1
    assert "model-00002-of-00002.safetensors: sha256" in capsys.readouterr().err


@pytest.mark.parametrize("problem", ["missing", "unlisted", "escape", "garbage"])
def test_manifests_and_directories_that_cannot_be_trusted(tmp_path, capsys, problem):
    root = tmp_path / "w"
    _weights(root, FILES)
    if problem == "missing":
        (root / "config.json").unlink()
    elif problem == "unlisted":
        (root / "extra.safetensors").write_bytes(b"x")  # vLLM would load it
    elif problem == "escape":
        (root / "SHA256SUMS").write_text(f"{'0' * 64}  ../../etc/passwd\n")
    else:
        (root / "SHA256SUMS").write_text("this is not a manifest\n")
    digest = hashlib.sha256((root / "SHA256SUMS").read_bytes()).hexdigest()
    assert sums.main(["--check", "SHA256SUMS", "--dir", str(root), "--manifest-sha256", digest]) == 1
    err = capsys.readouterr().err
    assert {"missing": "config.json", "unlisted": "not listed", "escape": "leaves the weights directory", "garbage": "not a sha256sum line"}[problem] in err


def test_node_cache_is_filled_once_and_reverified_locally(tmp_path):
    digest = _weights(tmp_path / "remote", FILES)
    cache = tmp_path / "nvme"
    args = ["--check", "SHA256SUMS", "--dir", str(tmp_path / "remote"), "--manifest-sha256", digest, "--copy-to", str(cache)]
    assert sums.main(args) == 0
    for name, data in FILES.items():
        assert (cache / name).read_bytes() == data
    assert not list(cache.rglob("*.partial"))
    # A restart: the remote files now differ, so passing proves the verified local copy was read instead.
    for name in FILES:
        (tmp_path / "remote" / name).write_bytes(b"")
    assert sums.main(args) == 0
    # A local copy that rotted is caught.
    (cache / "config.json").write_bytes(b"[]\n")
    assert sums.main(args) == 1


def test_runs_as_the_init_container_runs_it(tmp_path):
    digest = _weights(tmp_path / "w", FILES)
    run = subprocess.run([sys.executable, str(SCRIPT), "--check", "SHA256SUMS", "--dir", str(tmp_path / "w"), "--manifest-sha256", digest],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("weights verified")
