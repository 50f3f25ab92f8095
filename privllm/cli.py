"""The privllm command line: parse, call the package, print. Nothing else lives here."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from privllm.stack import StackError, load_stack, resolve_stack_path

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Private LLM platform kit.")
config_app = typer.Typer(no_args_is_help=True, help="Validate and show stack configuration.")
app.add_typer(config_app, name="config")

out = Console(soft_wrap=True)
err = Console(stderr=True)

StackOpt = Annotated[
    Optional[str],
    typer.Option("--stack", "-s", help="Stack name (reference, local, onprem) or path to a Pulumi.<stack>.yaml."),
]


class UsageError(Exception):
    """A mistake on the command line or in an input file: exit 2, one clear message."""


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def _load(stack: str | None):
    try:
        return load_stack(stack)
    except StackError as exc:
        for problem in exc.problems:
            err.print(f"[red]error:[/red] {exc.file}: {problem}", highlight=False, soft_wrap=True, markup=True)
        raise typer.Exit(2) from None


@config_app.command("validate")
def config_validate(stack: StackOpt = None) -> None:
    """Check a stack file; exit 2 with one message per problem."""
    cfg = _load(stack)
    out.print(
        f"{resolve_stack_path(stack)}: valid ({cfg.target.kind} target, "
        f"{len(cfg.gpu_pools)} GPU pools, {len(cfg.models)} models)"
    )


@config_app.command("show")
def config_show(stack: StackOpt = None) -> None:
    """Print the resolved configuration, defaults included, as JSON."""
    cfg = _load(stack)
    out.print_json(json.dumps(cfg.model_dump(mode="json")))


@app.command()
def plan(
    stack: StackOpt = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output directory (replaced whole).")] = None,
) -> None:
    """Run the Pulumi program offline and write everything it would deploy."""
    from infra.plan import PlanError, build, write
    from privllm.helm import ChartValuesError

    name = stack or "reference"
    if stack is None:
        print("Planning the reference stack (air-gapped EKS); pass --stack NAME|FILE to plan another.", flush=True)
    cfg = _load(stack)
    target = out_dir or Path("build/plan")
    try:
        result = build(cfg, Path(name).stem.removeprefix("Pulumi."))
        write(result, target)
    except (PlanError, ChartValuesError) as exc:
        _fail(str(exc), code=1)
    print((target / "summary.txt").read_text(), end="")


def main() -> None:
    try:
        app()
    except UsageError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
