"""The recorded vLLM flag/environment table: read from a release's own source, and regenerated
identically from the pinned release's wheel when a local copy of it is present."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from privllm.paths import ROOT
from privllm.serving.vllm.cli_table import TABLE, CliTableError, extract, load

CONFIG = '''
class CacheConfig:
    enable_prefix_caching: bool = True
    block_size: int | None = None
    kv_sharing: bool | str | None = None
'''
ARG_UTILS = '''
def add_cli_args(parser):
    cache_kwargs = get_kwargs(CacheConfig)
    g = parser.add_argument_group("cache")
    g.add_argument("--enable-prefix-caching", **{**cache_kwargs["enable_prefix_caching"], "default": None})
    g.add_argument("--block-size", **cache_kwargs["block_size"])
    g.add_argument("--kv-sharing", **cache_kwargs["kv_sharing"])
    g.add_argument("--enforce-eager", action=argparse.BooleanOptionalAction)
    g.add_argument("--quantization", "-q", type=str)
'''
FRONTEND = '''
@config
class FrontendArgs:
    host: str | None = None
    disable_fastapi_docs: bool = False
    _private: int = 0

def make_arg_parser(parser):
    parser.add_argument("--headless", action="store_true")
'''
ENVS = '''
environment_variables: dict[str, Callable[[], Any]] = {
    "VLLM_CACHE_ROOT": lambda: None,
    "VLLM_API_KEY": lambda: None,
}
'''
QUANT = '''
QuantizationMethods = Literal["awq", "awq_marlin", "fp8"]
'''


def test_extracts_flags_booleans_environment_and_quantization_names():
    files = {
        "vllm/config/cache.py": CONFIG, "vllm/engine/arg_utils.py": ARG_UTILS, "vllm/entrypoints/common/cli_args.py": FRONTEND,
        "vllm/envs.py": ENVS, "vllm/model_executor/layers/quantization/__init__.py": QUANT,
    }
    table = extract(files, "9.9.9")
    assert table["version"] == "9.9.9"
    assert set(table["flags"]) == {
        "--enable-prefix-caching", "--no-enable-prefix-caching",  # bool field: BooleanOptionalAction
        "--block-size", "--kv-sharing",  # optional-valued bool | str: no --no- form
        "--enforce-eager", "--no-enforce-eager", "--quantization",
        "--host", "--disable-fastapi-docs", "--no-disable-fastapi-docs", "--headless",
    }
    assert table["env_vars"] == ["VLLM_API_KEY", "VLLM_CACHE_ROOT"]
    assert table["quantization_methods"] == ["awq", "awq_marlin", "fp8"]
    with pytest.raises(CliTableError):
        extract({"vllm/envs.py": ENVS}, "1.0")


def test_recorded_table_is_well_formed_and_knows_what_the_chart_relies_on():
    table = load()
    data = json.loads(TABLE.read_text())
    assert data["flags"] == sorted(set(data["flags"])) and data["env_vars"] == sorted(set(data["env_vars"]))
    for flag in ("--served-model-name", "--nnodes", "--node-rank", "--master-addr", "--headless", "--disable-fastapi-docs",
                 "--no-enable-prefix-caching", "--load-format", "--kv-cache-dtype"):
        assert flag in table.flags
    assert {"awq_marlin", "gptq_marlin", "fp8"} <= table.quantization_methods
    assert {"VLLM_CACHE_ROOT", "VLLM_HOST_IP", "VLLM_API_KEY", "VLLM_NO_USAGE_STATS"} <= table.env_vars


def _cached_wheel() -> Path | None:
    folder = Path(os.environ.get("PRIVLLM_VLLM_WHEELS", Path.home() / ".cache/privllm/vllm-wheels"))
    wheels = sorted(folder.glob(f"vllm-{load().version}-*.whl"))
    return wheels[0] if wheels else None


def test_regenerating_from_the_pinned_wheel_gives_the_recorded_table(tmp_path):
    wheel = _cached_wheel()
    if wheel is None:
        pytest.skip(
            f"no vllm-{load().version} wheel in $PRIVLLM_VLLM_WHEELS or ~/.cache/privllm/vllm-wheels "
            f"(pip download --no-deps --only-binary :all: vllm=={load().version} -d ~/.cache/privllm/vllm-wheels)"
        )
    out = tmp_path / "table.json"
    r = subprocess.run([sys.executable, "-m", "privllm.serving.vllm.cli_table", "--wheel", str(wheel), "--out", str(out)],
                       capture_output=True, text=True, cwd=ROOT, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text()) == json.loads(TABLE.read_text())


def test_regenerator_refuses_what_is_not_a_vllm_release(tmp_path):
    (tmp_path / "x.whl").write_bytes(b"not a zip")
    r = subprocess.run([sys.executable, "-m", "privllm.serving.vllm.cli_table", "--wheel", str(tmp_path / "x.whl"), "--out", str(tmp_path / "o.json")],
                       capture_output=True, text=True, cwd=ROOT, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 2 and r.stderr.startswith("error:") and "Traceback" not in r.stderr
    assert not (tmp_path / "o.json").exists()
