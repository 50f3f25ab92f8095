"""Package layout: one top-level package, ``privllm``.

The kit's folders stay where a platform team looks for them (infra/ is the Pulumi project,
policies/ holds the Rego, serving/ the runtime), but they install as ``privllm.infra``,
``privllm.policies`` and ``privllm.serving``, so nothing named ``infra`` or ``serving`` lands
in site-packages. The folder map is privllm/paths.py's PACKAGE_DIRS; pyproject.toml holds the rest.
"""

import runpy

from setuptools import find_packages, setup

PACKAGE_DIRS: dict[str, str] = runpy.run_path("privllm/paths.py")["PACKAGE_DIRS"]
packages = sorted({sub for name, folder in PACKAGE_DIRS.items() for sub in (name, *(f"{name}.{p}" for p in find_packages(folder)))})

setup(
    package_dir=PACKAGE_DIRS,
    packages=packages,
    # Data the kit reads at run time: policy Rego, samples and framework mappings; stack files and CA bundle.
    package_data={
        "privllm.policies": ["*/*.rego", "*/samples/*/*", "lib/*.rego", "frameworks/*.yaml"],
        "privllm.infra": ["*.yaml", "ca/*", "targets/*/*"],
        "privllm.serving": ["vllm/*.json", "gateway/guards/*.tsv"],
        "privllm": ["redteam/suites/*.jsonl"],
    },
)
