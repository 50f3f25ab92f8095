"""Where the plan gets third-party charts: a local chart cache, or the stack's chart mirror.

A chart cache is a directory holding ``<name>-<version>/`` chart directories or
``<name>-<version>.tgz`` archives (what ``helm pull --untar`` or ``helm pull`` leave).
It is named with ``privllm plan --charts DIR`` or the ``PRIVLLM_CHARTS`` environment
variable (several directories separated by ``:``). A chart found in no cache is pulled
from the stack's chart mirror through the Helm SDK into ``PRIVLLM_CHART_PULL_DIR``
(default ``~/.cache/privllm/charts``, searched too while pulling is on), unless pulling is off.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import helm_python

CHARTS_ENV = "PRIVLLM_CHARTS"
PULL_DIR_ENV = "PRIVLLM_CHART_PULL_DIR"
HOW_TO_PROVIDE = (
    f"put the chart at the pinned version into a chart cache (`helm pull <repo>/<chart> --version <version> --untar`"
    f" into DIR) and pass `--charts DIR` or set {CHARTS_ENV}=DIR, or push it to the stack's chart mirror"
)


@dataclass(frozen=True)
class Located:
    """A chart on disk, or why it could not be had."""

    path: Path | None
    origin: str  # "cache DIR", "mirror REF", or the reason it is missing


@dataclass
class ChartSource:
    cache_dirs: list[Path] = field(default_factory=list)
    pull: bool = False
    pull_dir: Path | None = None

    @classmethod
    def from_env(cls, extra: list[Path] | None = None, *, pull: bool = False) -> ChartSource:
        dirs = list(extra or [])
        dirs += [Path(p) for p in os.environ.get(CHARTS_ENV, "").split(os.pathsep) if p]
        pull_dir = Path(os.environ.get(PULL_DIR_ENV) or Path.home() / ".cache" / "privllm" / "charts")
        return cls(dirs, pull, pull_dir)

    def describe(self) -> str:
        where = ", ".join(str(d) for d in self.cache_dirs) or "none"
        return f"chart caches: {where}; pulling from the mirror: {'on' if self.pull else 'off'}"

    def locate(self, name: str, version: str, repository: str) -> Located:
        """The chart ``name`` at exactly ``version``: from a cache, else pulled from ``repository``."""
        # Earlier pulls count only while pulling is on: without it the plan sees exactly the named caches.
        dirs = self.cache_dirs + ([self.pull_dir] if self.pull and self.pull_dir else [])
        for d in dirs:
            found = _in_cache(d, name, version)
            if found:
                return Located(found, f"cache {d}")
        if not self.pull:
            return Located(None, f"not in any chart cache ({self.describe()})")
        return self._pull(name, version, repository)

    def _pull(self, name: str, version: str, repository: str) -> Located:
        pull_dir = self.pull_dir or Path.home() / ".cache" / "privllm" / "charts"
        pull_dir.mkdir(parents=True, exist_ok=True)
        oci = repository.startswith("oci://")
        ref = f"{repository}/{name}" if oci else name
        try:
            helm_python.pull(ref, version=version, destination=pull_dir, repo_url=None if oci else repository)
        except helm_python.HelmError as exc:
            # The SDK's message nests every layer ("failed to perform ... Get ...: dial tcp: ..."); the last says why.
            why = str(exc).strip().rsplit(": ", 1)[-1]
            return Located(None, f"not in any chart cache, and the mirror could not give {ref}:{version} ({why})")
        found = _in_cache(pull_dir, name, version)
        if found is None:
            return Located(None, f"the mirror served {ref} but no {name}-{version}.tgz arrived in {pull_dir}")
        return Located(found, f"mirror {ref}:{version}")


def _in_cache(directory: Path, name: str, version: str) -> Path | None:
    for candidate in (directory / f"{name}-{version}", directory / name / version, directory / f"{name}-{version}.tgz"):
        if candidate.is_dir() and _chart_version(candidate / "Chart.yaml") == (name, version):
            return candidate
        if candidate.is_file():
            return candidate
    return None


def _chart_version(chart_yaml: Path) -> tuple[str, str] | None:
    import yaml

    try:
        meta = yaml.safe_load(chart_yaml.read_text()) or {}
    except (OSError, yaml.YAMLError):
        return None
    return str(meta.get("name")), str(meta.get("version"))
