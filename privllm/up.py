"""`privllm up | preview | destroy | down`: the real Pulumi engine through the Automation API.

The program is the same inline `deploy(cfg)` that `privllm plan` runs under mocks. For the kind
target the kit also creates the cluster from infra/targets/kind/ and loads every image into it
from the local Docker engine, so the cluster pulls nothing (an air-gap rehearsal).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from privllm.paths import INFRA, ROOT
from privllm.stack import StackConfig

KIND_DIR = INFRA / "targets" / "kind"
STATE_DIR = Path(os.environ.get("PRIVLLM_STATE_DIR", Path.home() / ".privllm"))


class UpError(Exception):
    """Something the operator must fix before the engine can run; the message says what."""


@dataclass(frozen=True)
class Tool:
    name: str
    why: str
    how: str


PULUMI = Tool("pulumi", "the Pulumi engine that applies the program", "https://www.pulumi.com/docs/install/ (or run `privllm plan` to see the deployment offline)")
DOCKER = Tool("docker", "the container engine kind runs nodes in", "install Docker Engine and start it")
KIND = Tool("kind", "the local cluster", "https://kind.sigs.k8s.io/docs/user/quick-start/#installation")
KUBECTL = Tool("kubectl", "talking to the cluster", "https://kubernetes.io/docs/tasks/tools/")
AWS_CLI = Tool("aws", "EKS tokens for the Kubernetes provider (`aws eks get-token`)", "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html")


def _docker_engine_running() -> bool:
    try:
        return subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def preflight(cfg: StackConfig) -> list[str]:
    """One line per missing prerequisite (empty when the engine can run)."""
    needed = [PULUMI] + ([DOCKER, KIND, KUBECTL] if cfg.target.kind == "kind" else []) + ([AWS_CLI] if cfg.target.kind == "eks" else [])
    problems = [f"{t.name} is not installed ({t.why}): {t.how}" for t in needed if shutil.which(t.name) is None]
    if cfg.target.kind == "kind" and shutil.which("docker") and not _docker_engine_running():
        problems.append("docker is installed but its engine is not reachable (`docker info` fails): start the Docker daemon")
    return problems


def _run(cmd: list[str], **kwargs) -> None:
    print("+ " + " ".join(cmd), flush=True)
    result = subprocess.run(cmd, **kwargs)
    if result.returncode != 0:
        raise UpError(f"`{' '.join(cmd)}` failed with exit code {result.returncode}")


def kind_cluster_exists(name: str) -> bool:
    out = subprocess.run(["kind", "get", "clusters"], capture_output=True, text=True)
    return name in out.stdout.split()


def create_kind_cluster(cfg: StackConfig) -> None:
    name = cfg.target.cluster_name
    if kind_cluster_exists(name):
        print(f"kind cluster {name} exists", flush=True)
        return
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    config = (KIND_DIR / "cluster.yaml").read_text().replace("__AUDIT_POLICY__", str((KIND_DIR / "audit-policy.yaml").resolve()))
    (STATE_DIR / f"kind-{name}.yaml").write_text(config)
    _run(["kind", "create", "cluster", "--name", name, "--config", str(STATE_DIR / f"kind-{name}.yaml"), "--wait", "120s"])


def build_and_load_images(cfg: StackConfig, images: list[str]) -> None:
    """Build the kit's own images, then load every image into the kind nodes."""
    built = {"gateway": "images/llm-gateway/Dockerfile", "vllm-standin": "images/vllm-standin/Dockerfile"}
    for key, dockerfile in built.items():
        _run(["docker", "build", "-f", str(ROOT / dockerfile), "-t", cfg.mirror.image_ref(key), str(ROOT)])
    missing = []
    for image in images:
        if subprocess.run(["docker", "image", "inspect", image], capture_output=True).returncode != 0:
            missing.append(image)
    if missing:
        raise UpError(
            "these images are not in the local Docker engine; mirror them first (the cluster pulls nothing):\n  " + "\n  ".join(missing)
        )
    for image in images:
        _run(["kind", "load", "docker-image", image, "--name", cfg.target.cluster_name])


def stack_config(cfg: StackConfig, stack_file: Path) -> dict[str, str]:
    """Every key of the stack file as Pulumi config text (structured values as JSON), so the inline
    program's providers read exactly the file: ``aws:region`` and any other provider setting.
    ``aws:region`` must agree with ``privllm:target.region`` and is derived from it when absent."""
    doc = yaml.safe_load(stack_file.read_text()) or {}
    values: dict[str, str] = {}
    region = cfg.target.region or ""
    for key, value in (doc.get("config") or {}).items():
        if isinstance(value, dict) and "secure" in value:
            raise UpError(f"{stack_file}: {key} is a secure value; give providers their secrets through their environment, not the stack file")
        values[str(key)] = value if isinstance(value, str) else json.dumps(value)
    if cfg.target.kind == "eks":
        declared = values.get("aws:region")
        if declared is None:
            values["aws:region"] = region
        elif declared != region:
            raise UpError(f"{stack_file}: aws:region is {declared!r} but privllm:target.region is {region!r}; the provider would deploy elsewhere")
    return values


def _program(cfg: StackConfig, deploy) -> None:
    deploy(cfg)


def _stack(cfg: StackConfig, stack_name: str, stack_file: Path | None = None):
    from pulumi import automation as auto

    from privllm.infra.program import deploy

    backend = os.environ.get("PULUMI_BACKEND_URL") or f"file://{STATE_DIR / 'pulumi'}"
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
    env = {"PULUMI_BACKEND_URL": backend}
    if "PULUMI_CONFIG_PASSPHRASE" not in os.environ and "PULUMI_CONFIG_PASSPHRASE_FILE" not in os.environ:
        raise UpError("set PULUMI_CONFIG_PASSPHRASE (or _FILE) for the state's secrets provider, or PULUMI_BACKEND_URL to your backend")
    settings = auto.ProjectSettings(name="privllm", runtime="python", backend=auto.ProjectBackend(url=backend))
    stack = auto.create_or_select_stack(
        stack_name=stack_name,
        project_name="privllm",
        program=lambda: _program(cfg, deploy),
        opts=auto.LocalWorkspaceOptions(project_settings=settings, env_vars=env),
    )
    # The inline program runs in a temporary workspace that has no Pulumi.<stack>.yaml: without
    # this, providers would fall back to the operator's environment (another region, another account).
    stack_file = stack_file or INFRA / f"Pulumi.{stack_name}.yaml"
    if stack_file.exists():
        stack.set_all_config({key: auto.ConfigValue(value=value) for key, value in stack_config(cfg, stack_file).items()})
    return stack


def run(action: str, cfg: StackConfig, stack_name: str, images: list[str] | None = None, stack_file: Path | None = None) -> None:
    problems = preflight(cfg)
    if problems:
        raise UpError("cannot run `privllm " + action + "`:\n  " + "\n  ".join(problems))
    if action == "up" and cfg.target.kind == "kind":
        create_kind_cluster(cfg)
        build_and_load_images(cfg, images or [])
    stack = _stack(cfg, stack_name, stack_file)
    if action == "preview":
        stack.preview(on_output=print)
    elif action == "up":
        stack.up(on_output=print)
    elif action in ("destroy", "down"):
        stack.destroy(on_output=print)
        if action == "down" and cfg.target.kind == "kind" and kind_cluster_exists(cfg.target.cluster_name):
            _run(["kind", "delete", "cluster", "--name", cfg.target.cluster_name])
