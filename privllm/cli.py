"""The privllm command line: parse, call the package, print. Nothing else lives here."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from privllm.facts import GATEWAY_PORT, VLLM_PORT

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Private LLM platform kit.")
config_app = typer.Typer(no_args_is_help=True, help="Validate and show stack configuration.")
app.add_typer(config_app, name="config")
policy_app = typer.Typer(no_args_is_help=True, help="Test and export the Rego policy set.")
app.add_typer(policy_app, name="policy")
vault_app = typer.Typer(no_args_is_help=True, help="Configure Vault (or OpenBao) for the stack.")
app.add_typer(vault_app, name="vault")
keys_app = typer.Typer(no_args_is_help=True, help="Gateway API keys, stored as hashes in Vault.")
app.add_typer(keys_app, name="keys")
telemetry_app = typer.Typer(no_args_is_help=True, help="The audit path to the SIEM.")
app.add_typer(telemetry_app, name="telemetry")

out = Console(soft_wrap=True)
err = Console(stderr=True)

StackOpt = Annotated[
    str | None,
    typer.Option("--stack", "-s", help="Stack name (reference, local, onprem) or path to a Pulumi.<stack>.yaml."),
]


def _error(message: str, label: str = "error:") -> None:
    """One line on stderr; the message is printed literally (a value like "[/red]" is not markup)."""
    err.print(f"[red]{label}[/red] {escape(message)}", highlight=False, markup=True, soft_wrap=True)


def _fail(message: str, code: int = 2) -> NoReturn:
    _error(message)
    raise typer.Exit(code)


def _stack_name(stack: str | None) -> str:
    """Imported lazily, like _load: `review --manifests` needs no stack model."""
    from privllm.stack.load import stack_name as name_of

    return name_of(stack)


def _load(stack: str | None):
    # Imported here: commands that need no stack (review --manifests, policy test) start faster.
    from privllm.stack import StackError, load_stack

    try:
        return load_stack(stack)
    except StackError as exc:
        for problem in exc.problems:
            _error(f"{exc.file}: {problem}")
        raise typer.Exit(2) from None


@config_app.command("validate")
def config_validate(stack: StackOpt = None) -> None:
    """Check a stack file; exit 2 with one message per problem."""
    from privllm.stack import resolve_stack_path

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


ChartsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--charts",
        help="Chart cache directory with <chart>-<version>/ or <chart>-<version>.tgz (repeatable; also $PRIVLLM_CHARTS).",
    ),
]
PullOpt = Annotated[bool, typer.Option("--pull/--no-pull", help="Pull charts missing from the caches from the stack's chart mirror.")]


def _chart_source(charts: list[Path] | None, pull: bool):
    from infra.chart_source import ChartSource

    for d in charts or []:
        if not d.is_dir():
            _fail(f"--charts {d}: not a directory (give a chart cache holding <chart>-<version>/ directories or .tgz archives)")
    return ChartSource.from_env(charts, pull=pull)


@app.command()
def plan(
    stack: StackOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Output directory (replaced whole).")] = None,
    charts: ChartsOpt = None,
    pull: PullOpt = True,
    require_complete: Annotated[bool, typer.Option("--require-complete", help="Exit 1 when a third-party chart could not be rendered.")] = False,
) -> None:
    """Run the Pulumi program offline and write everything it would deploy, every Helm release rendered.

    Exit 0: a plan (possibly partial). Exit 1: the plan cannot come up (problems listed), or it is
    partial and --require-complete was given. Exit 2: a bad stack file or option.
    """
    from infra.plan import PlanError, build, write
    from privllm.helm import ChartValuesError

    if stack is None:
        print("Planning the reference stack (air-gapped EKS); pass --stack NAME|FILE to plan another.", flush=True)
    cfg = _load(stack)
    source = _chart_source(charts, pull)
    target = out_dir or Path("build/plan")
    try:
        result = build(cfg, _stack_name(stack), source)
        write(result, target)
    except (PlanError, ChartValuesError) as exc:
        _fail(str(exc), code=1)
    print((target / "summary.txt").read_text(), end="")
    if result.problems:
        _fail(f"the plan has {len(result.problems)} problems (listed above); a cluster deployed from it would not come up as planned", code=1)
    if result.partial and require_complete:
        _fail(f"--require-complete: {len(result.unrendered)} third-party releases were not rendered (listed above)", code=1)


class Format(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"
    html = "html"
    md = "md"


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


@app.command("review")
def review_cmd(
    stack: StackOpt = None,
    manifests: Annotated[Path | None, typer.Option("--manifests", "-m", help="Directory of YAML manifests (a plan output directory also brings its cloud.json).")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.table,
    fail_on: Annotated[Severity, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity.")] = Severity.low,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to a file instead of stdout.")] = None,
    framework: Annotated[list[str] | None, typer.Option("--framework", help="Also answer, per control, what this deployment meets of a framework: gdpr, hipaa, iso27001, rbi, sebi (repeatable).")] = None,
    charts: ChartsOpt = None,
    pull: PullOpt = True,
    accept_partial: Annotated[bool, typer.Option("--accept-partial", help="Pass a plan that could not render every third-party release.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when any document was skipped (not reviewed).")] = False,
    exemptions: Annotated[
        Path | None,
        typer.Option("--exemptions", help="With --manifests: YAML review settings (exemptions: policy, kind/namespace/name globs, reason, owner; allowed_registries, host_port_ranges, profiles)."),
    ] = None,
) -> None:
    """Review a stack (planned offline) or a directory of manifests against the six-layer policy set.

    Exit 0: nothing unexempted at or above --fail-on (and, with --strict, nothing skipped).
    Exit 1: findings, a partial plan (unless --accept-partial), plan problems, skipped documents
    under --strict, or the review could not run. Exit 2: usage error.
    """
    from infra.plan import PlanError
    from policies import compliance, compliance_report
    from policies.documents import ReviewInputError
    from policies.engine import EngineError
    from policies.report import FORMATS
    from policies.review import review_directory, review_stack
    from privllm.helm import ChartValuesError

    if stack and manifests:
        _fail("give --stack or --manifests, not both")
    if exemptions and not manifests:
        _fail("--exemptions goes with --manifests; a stack states its exemptions in its privllm:review section")
    known = sorted(compliance.load().frameworks)
    for name in framework or []:
        if name not in known:
            _fail(f"--framework {name!r} is not a known framework; valid: {', '.join(known)}")
    try:
        if manifests:
            from policies.review import settings_params

            settings = None
            if exemptions:
                from policies.exemptions import load_settings

                settings = load_settings(exemptions)
            params = settings_params(settings) if settings else None
            result = review_directory(manifests, params, list(settings.exemptions) if settings else None)
        else:
            cfg = _load(stack)
            result = review_stack(cfg, _stack_name(stack), _chart_source(charts, pull))
    except ReviewInputError as exc:
        _fail(str(exc))
    except (PlanError, ChartValuesError) as exc:
        _fail(f"the plan could not be built, so the review failed: {exc}", code=1)
    except EngineError as exc:
        _fail(f"the policy engine failed, so the review failed: {exc}", code=1)
    report = FORMATS[fmt.value](result)
    report = compliance_report.attach(report, fmt.value, [compliance.evaluate(result, name) for name in framework or []])
    if output:
        output.write_text(report)
        print(f"report written to {output}")
    else:
        print(report, end="" if report.endswith("\n") else "\n")
    if result.errors:
        err.print(f"[red]review failed:[/red] {len(result.errors)} policy evaluations raised engine errors")
        raise typer.Exit(1)
    if result.skipped:
        err.print(f"{'[red]review failed:[/red]' if strict else 'warning:'} {len(result.skipped)} documents were not reviewed (listed in the report)")
        if strict:
            raise typer.Exit(1)
    plan_status = result.plan or {}
    for problem in plan_status.get("problems") or []:
        err.print(f"[red]plan problem:[/red] {problem}", highlight=False, markup=True, soft_wrap=True)
    if plan_status.get("problems"):
        raise typer.Exit(1)
    if plan_status and not plan_status.get("complete"):
        unrendered = ", ".join(plan_status.get("unrendered") or [])
        verdict = "accepted (--accept-partial)" if accept_partial else "refused"
        err.print(
            f"[yellow]partial plan {verdict}:[/yellow] releases not rendered, so not reviewed: {unrendered}. "
            "Point --charts DIR (or PRIVLLM_CHARTS) at a chart cache, or make the chart mirror reachable.",
            highlight=False, markup=True, soft_wrap=True,
        )
        if not accept_partial:
            raise typer.Exit(1)
    if result.at_or_above(fail_on.value):
        raise typer.Exit(1)


@policy_app.command("test")
def policy_test() -> None:
    """Run every policy's Rego tests and samples (allowed must pass, denied must fail with the id)."""
    from policies.catalog import PolicyDefinitionError
    from policies.testing import run_all

    try:
        outcomes = run_all()
    except PolicyDefinitionError as exc:
        _fail(str(exc), code=1)
    failed = [o for o in outcomes if not o.passed]
    for o in failed:
        err.print(f"FAIL {o.policy} {o.case}: {o.detail}", markup=False, highlight=False)
    policies = len({o.policy for o in outcomes})
    print(f"{policies} policies: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


@policy_app.command("export")
def policy_export(
    target: Annotated[str, typer.Argument(help="Export format; only 'gatekeeper' for now.")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Directory for the YAML files.")] = Path("build/gatekeeper"),
    stack: StackOpt = None,
) -> None:
    """Write Gatekeeper ConstraintTemplates and Constraints generated from the same Rego."""
    import yaml

    from policies.gatekeeper import constraints_for, export

    if target != "gatekeeper":
        _fail(f"unknown export target {target!r}; valid: gatekeeper")
    pairs = constraints_for(_load(stack)) if stack else export()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.yaml"):
        old.unlink()
    for template, constraint in pairs:
        name = template["metadata"]["name"]
        (out_dir / f"{name}.yaml").write_text(yaml.safe_dump_all([template, constraint], sort_keys=False))
    print(f"{len(pairs)} ConstraintTemplates with their Constraints written to {out_dir}")


@app.command()
def gateway(
    config: Annotated[Path | None, typer.Option("--config", help="Gateway configuration file (gateway.yaml).")] = None,
    dev: Annotated[bool, typer.Option("--dev", help="Dev mode: in-memory keys, one generated key for every upstream model.")] = False,
    upstream: Annotated[str | None, typer.Option("--upstream", help="Dev mode: base URL of an OpenAI-compatible server.")] = None,
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on (dev: 127.0.0.1; --config: all addresses, as in a pod).")] = None,
    port: Annotated[int | None, typer.Option("--port", help=f"Port to listen on (dev: {GATEWAY_PORT}; --config: its listen_port).")] = None,
    dev_rpm: Annotated[int, typer.Option("--dev-rpm", help="Dev mode: requests per minute for the generated key.")] = 600,
    audit_jsonl: Annotated[Path | None, typer.Option("--audit-jsonl", help="Also write each audit record as one JSON line here.")] = None,
    high_risk: Annotated[list[str] | None, typer.Option("--high-risk", help="Dev mode: hold this model's answers for human review (repeatable).")] = None,
) -> None:
    """Run the llm-gateway: --config FILE in production, --dev --upstream URL on a laptop."""
    from pydantic import ValidationError

    from serving.gateway.config import ConfigError
    from serving.gateway.server import config_state, dev_state, serve
    from serving.telemetry.otlp_config import OtlpConfigError

    if dev == bool(config):
        _fail("give either --dev --upstream URL or --config FILE")
    if dev:
        if not upstream:
            _fail("--dev needs --upstream URL (an OpenAI-compatible server, e.g. vLLM)")
        try:
            state, key = dev_state(upstream, dev_rpm, audit_jsonl, high_risk=tuple(high_risk or ()))
        except OtlpConfigError as exc:
            _fail(f"audit export is misconfigured: {exc}")
        except ValidationError as exc:
            # The dev configuration is built from the options: name the option, not the upstream.
            first = exc.errors()[0]
            option = "--dev-rpm" if "requests_per_minute" in first["loc"] or "tokens_per_minute" in first["loc"] else "--dev"
            _fail(f"{option}: {first['msg']}")
        except (OSError, ValueError) as exc:
            _fail(f"cannot list the models of {upstream}: {exc}")
        host, port = host or "127.0.0.1", port or GATEWAY_PORT
        print(f"api-key: {key}", flush=True)
        print(f"gateway on http://{host}:{port} for models: {', '.join(u.name for u in state.config.upstreams)}", flush=True)
    else:
        assert config is not None  # checked above: exactly one of --dev and --config
        try:
            state = config_state(config, audit_jsonl)
        except OtlpConfigError as exc:
            _fail(f"audit export is misconfigured: {exc}")
        except (ConfigError, OSError) as exc:
            _fail(str(exc))
        host, port = host or "0.0.0.0", port or state.config.listen_port  # noqa: S104 - a pod's own address; NetworkPolicy limits who reaches it
    serve(state, host, port)


@app.command("vllm-standin")
def vllm_standin(
    model: Annotated[str, typer.Option("--model", help="Model name to serve.")] = "standin-model",
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = VLLM_PORT,
    delay: Annotated[float, typer.Option("--delay", help="Seconds before each answer.")] = 0.0,
) -> None:
    """Run the vLLM stand-in (CPU echo server with vLLM's API and metrics) for dev and tests."""
    import uvicorn

    from serving.vllm.standin import create_standin

    uvicorn.run(create_standin(model, delay), host=host, port=port, log_level="warning", access_log=False)


def _vault_client(stack: str | None):
    from privllm.vault import VaultError, client_from_env

    cfg = _load(stack) if stack else None
    address = cfg.vault.address if cfg and cfg.vault.mode == "external" else None
    try:
        return client_from_env(address), cfg
    except VaultError as exc:
        _fail(str(exc))


@vault_app.command("bootstrap")
def vault_bootstrap(
    stack: StackOpt = None,
    kubernetes_host: Annotated[str, typer.Option("--kubernetes-host", help="API server URL Vault uses to review service-account tokens.")] = "https://kubernetes.default.svc",
    audit_file: Annotated[str, typer.Option("--audit-file", help="Where Vault writes its audit log (collected by the node agent).")] = "stdout",
    outside_cluster: Annotated[bool, typer.Option("--vault-outside-cluster", help="Vault does not run in a pod (external Vault, or a test server).")] = False,
    kubernetes_ca_file: Annotated[Path | None, typer.Option("--kubernetes-ca-file", help="The cluster's CA certificate (PEM), for a Vault outside the cluster.")] = None,
    no_kubernetes: Annotated[bool, typer.Option("--no-kubernetes", help="Skip Kubernetes auth (a Vault not yet attached to a cluster, e.g. to try keys with the dev gateway).")] = False,
) -> None:
    """Enable and configure KV, transit, Kubernetes auth roles, policies, CI AppRole and the audit device. Idempotent."""
    import hvac.exceptions

    from privllm.vault import VaultError, bootstrap

    client, cfg = _vault_client(stack)
    cfg = cfg or _load(stack)
    try:
        ca = kubernetes_ca_file.read_text() if kubernetes_ca_file else None
    except OSError as exc:
        _fail(f"--kubernetes-ca-file: {exc}")
    try:
        steps = bootstrap(client, cfg, kubernetes_host, audit_file, local_ca_jwt=False if outside_cluster else None, kubernetes_ca_cert=ca, kubernetes=not no_kubernetes)
    except VaultError as exc:
        _fail(str(exc))
    except hvac.exceptions.VaultError as exc:
        _fail(f"Vault refused the bootstrap: {exc}", code=1)
    for step in steps:
        print(f"{'changed ' if step.changed else 'ok      '} {step.what}")
    changed = sum(s.changed for s in steps)
    print(f"{changed} change(s)" if changed else "nothing to change: Vault already matches the stack")


def _keyring(stack: str | None):
    from privllm.vault import Keyring

    client, cfg = _vault_client(stack)
    return Keyring(client, (cfg or _load(stack)).vault.kv_mount)


@keys_app.command("create")
def keys_create(
    principal: Annotated[str, typer.Option("--principal", help="Team or application the key belongs to.")],
    models: Annotated[str, typer.Option("--models", help="Comma-separated served model names the key may use.")],
    rpm: Annotated[int | None, typer.Option("--rpm", min=1, help="Requests per minute (default: the gateway's).")] = None,
    tpm: Annotated[int | None, typer.Option("--tpm", min=1, help="Tokens per minute (default: the gateway's).")] = None,
    expires: Annotated[str, typer.Option("--expires", help="Lifetime, e.g. 90d, 12h.")] = "90d",
    groups: Annotated[str, typer.Option("--groups", help="Comma-separated groups (RAG document access).")] = "",
    roles: Annotated[str, typer.Option("--roles", help="Comma-separated gateway roles (reviewer, admin).")] = "",
    stack: StackOpt = None,
) -> None:
    """Issue a key; it is printed once and only its hash is stored."""
    from privllm.vault import VaultError, parse_duration

    try:
        lifetime = parse_duration(expires)
    except ValueError as exc:
        _fail(f"--expires: {exc}")
    model_list = [m.strip() for m in models.split(",") if m.strip()]
    if not model_list:
        _fail("--models: name at least one served model")
    split = lambda text: [x.strip() for x in text.split(",") if x.strip()]  # noqa: E731
    try:
        key = _keyring(stack).create(principal, model_list, rpm, tpm, lifetime, split(groups), split(roles))
    except VaultError as exc:
        _fail(str(exc), code=1)
    print(f"api-key: {key}")


@keys_app.command("list")
def keys_list(stack: StackOpt = None) -> None:
    """Principal, models, limits, dates and status of every key (never the key)."""
    import datetime as dt

    from rich.table import Table

    records, _ = _keyring(stack).read()
    table = Table("key id", "principal", "models", "rpm", "tpm", "created", "expires", "status")
    when = lambda t: dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M") if t else "-"  # noqa: E731
    for r in sorted(records.values(), key=lambda r: (r.principal, r.created)):
        status = "revoked" if r.revoked else ("active" if r.usable() else ("expired" if r.grace_until is None else "rotated"))
        if r.grace_until and r.usable():
            status = f"grace until {when(r.grace_until)}"
        table.add_row(r.key_id, r.principal, ",".join(r.models), str(r.rpm or "-"), str(r.tpm or "-"), when(r.created), when(r.expires), status)
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(principal: Annotated[str, typer.Option("--principal")], stack: StackOpt = None) -> None:
    """Revoke every key of a principal; the gateway refuses them within its cache TTL."""
    from privllm.vault import VaultError

    try:
        count = _keyring(stack).revoke(principal)
    except VaultError as exc:
        _fail(str(exc), code=1)
    print(f"revoked {count} key(s) of {principal}")


@keys_app.command("rotate")
def keys_rotate(
    principal: Annotated[str, typer.Option("--principal")],
    grace: Annotated[str, typer.Option("--grace", help="How long the old key keeps working, e.g. 24h.")] = "24h",
    stack: StackOpt = None,
) -> None:
    """Issue a new key; the old one stays valid for the grace period."""
    from privllm.vault import VaultError, parse_duration

    try:
        key = _keyring(stack).rotate(principal, parse_duration(grace))
    except (VaultError, ValueError) as exc:
        _fail(str(exc), code=1)
    print(f"api-key: {key}")


@telemetry_app.command("check")
def telemetry_check(
    stack: StackOpt = None,
    send: Annotated[str | None, typer.Option("--send", help="Also deliver a test audit record: host:port (OTLP/gRPC) or http(s)://host:port (OTLP/HTTP).")] = None,
    show: Annotated[bool, typer.Option("--show", help="Print the generated collector configuration.")] = False,
) -> None:
    """Validate the collector configuration generated from the stack (pipelines, TLS, persistent queue)."""
    import yaml

    from serving.telemetry.check import check_stack, send_test_record
    from serving.telemetry.collector import gateway_config

    cfg = _load(stack)
    if show:
        print(yaml.safe_dump(gateway_config(cfg), sort_keys=False))
    found = check_stack(cfg)
    for problem in found:
        _error(str(problem), "problem:")
    if found:
        raise typer.Exit(1)
    print(f"collector configuration ok: {len(cfg.telemetry.siem)} SIEM exporter(s), TLS on, persistent queue of {cfg.telemetry.queue_size} records")
    if send:
        try:
            send_test_record(send)
        except Exception as exc:  # noqa: BLE001 - any delivery failure is reported to the user, with its type
            _fail(f"could not deliver a test audit record to {send}: {type(exc).__name__}: {exc}", code=1)
        print(f"test audit record delivered to {send}")


@app.command()
def runbook(
    name: Annotated[str | None, typer.Argument(help="Alert or incident name; omit to list them.")] = None,
    stack: StackOpt = None,
    model: Annotated[str | None, typer.Option("--model", help="Model the alert is about (its name or served name).")] = None,
) -> None:
    """List the runbooks, or print one with the stack's real namespaces, releases and models."""
    from privllm.runbooks import RunbookError, all_runbooks, render

    if name is None:
        for book, path in all_runbooks().items():
            print(f"{path.parent.name:<12} {book}")
        return
    cfg = _load(stack)
    try:
        print(render(name, cfg, _stack_name(stack), model), end="")
    except RunbookError as exc:
        _fail(str(exc))


@app.command()
def size(
    model: Annotated[str | None, typer.Option("--model", help="Catalogue name, e.g. llama-3.1-70b.")] = None,
    model_dir: Annotated[Path | None, typer.Option("--model-dir", help="A model directory (or its config.json) instead of a catalogue name.")] = None,
    quantization: Annotated[str, typer.Option("--quantization", "-q", help="none, fp8, awq, gptq, compressed-tensors or bitsandbytes.")] = "none",
    gpu: Annotated[str, typer.Option("--gpu", help="h100-80gb, h200-141gb, a100-80gb, a100-40gb, l40s-48gb or l4-24gb.")] = "h100-80gb",
    max_model_len: Annotated[int, typer.Option("--max-model-len", min=1, help="Context length in tokens.")] = 8192,
    target_concurrency: Annotated[int, typer.Option("--target-concurrency", min=1, help="Full-length sequences that must fit at once.")] = 1,
    kv_cache_dtype: Annotated[str, typer.Option("--kv-cache-dtype", help="auto, fp8, fp8_e4m3 or fp8_e5m2.")] = "auto",
    gpu_memory_utilization: Annotated[float, typer.Option("--gpu-memory-utilization", min=0.5, max=0.95)] = 0.9,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """What fits where: weights, KV cache per token, smallest tensor-parallel degree, concurrency, decode ceiling."""
    from rich.table import Table

    from privllm.stack.catalog import ARCHITECTURES, ConfigJsonError, from_config_json
    from privllm.stack.hardware import GPUS
    from serving.vllm.sizing import SizingError, smallest_fit

    if fmt not in ("table", "json"):
        _fail(f"--format {fmt!r}: use table or json")
    if bool(model) == bool(model_dir):
        _fail("give --model NAME or --model-dir PATH")
    if model and model not in ARCHITECTURES:
        _fail(f"--model {model!r} is not in the catalogue; known: {', '.join(sorted(ARCHITECTURES))}")
    if gpu not in GPUS:
        _fail(f"--gpu {gpu!r} is unknown; known: {', '.join(GPUS)}")
    try:
        arch = ARCHITECTURES[model] if model else from_config_json(model_dir or Path())
        result = smallest_fit(
            arch, GPUS[gpu], target_concurrency=target_concurrency, quantization=quantization, kv_cache_dtype=kv_cache_dtype,
            max_model_len=max_model_len, gpu_memory_utilization=gpu_memory_utilization,
        )
    except ConfigJsonError as exc:
        _fail(str(exc))
    except SizingError as exc:
        _fail(f"--{exc.field.replace('_', '-')}: {exc}")
    data = result.as_dict()
    if fmt == "json":
        print(json.dumps(data, indent=2))
        return
    table = Table(title=f"{arch.name} on {gpu} ({quantization}, {max_model_len} tokens)")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    gib = lambda b: f"{b / 2**30:,.1f} GiB"  # noqa: E731
    rows = [
        ("weights", gib(data["weights_bytes"])),
        ("weights per GPU", gib(data["weights_bytes_per_gpu"])),
        ("KV cache per token", f"{data['kv_cache_bytes_per_token']:,} bytes"),
        ("smallest tensor parallel", str(data["tensor_parallel"])),
        ("KV cache available per GPU", gib(data["kv_cache_bytes_available_per_gpu"])),
        ("KV cache capacity (vLLM's \"GPU KV cache size\")", f"{data['kv_cache_tokens']:,} tokens"),
        ("concurrent full-length sequences", str(data["max_concurrent_sequences"])),
        ("decode ceiling, one sequence", f"{data['decode_tokens_per_second_ceiling']:,.0f} tokens/s"),
    ]
    for row in rows:
        table.add_row(*row)
    out.print(table)
    print("Formulas and assumptions: serving/vllm/sizing.py.")


def _engine(action: str, stack: str | None) -> None:
    from infra.plan import build, images
    from privllm.up import UpError, preflight, run

    cfg = _load(stack)
    name = _stack_name(stack)
    problems = preflight(cfg)
    if problems:
        _fail(f"cannot run `privllm {action}`:\n  " + "\n  ".join(problems), code=1)
    try:
        needed = images(build(cfg, name)) if action == "up" and cfg.target.kind == "kind" else None
        from privllm.stack.load import resolve_stack_path

        run(action, cfg, name, needed, stack_file=resolve_stack_path(stack))
    except UpError as exc:
        _fail(str(exc), code=1)


@app.command()
def up(stack: StackOpt = None) -> None:
    """Deploy the stack with the Pulumi engine (kind: also create the cluster and load the images)."""
    _engine("up", stack)


@app.command()
def preview(stack: StackOpt = None) -> None:
    """Show what `up` would change, from the real engine and the live state."""
    _engine("preview", stack)


@app.command()
def destroy(stack: StackOpt = None) -> None:
    """Remove everything the stack deployed."""
    _engine("destroy", stack)


@app.command()
def down(stack: StackOpt = None) -> None:
    """Destroy the stack and, for kind, delete the cluster."""
    _engine("down", stack)


@app.command()
def preflight(stack: StackOpt = None) -> None:
    """Check the stack's prerequisites: tools, and for an existing cluster the cluster itself."""
    from privllm import preflight as checks
    from privllm.up import preflight as tools

    cfg = _load(stack)
    results = [checks.Check(f"tool {p.split(' ', 1)[0]}", False, p) for p in tools(cfg)]
    if cfg.target.kind == "existing":
        try:
            results += checks.run_checks(cfg, checks.KubernetesCluster(cfg.target.kube_context))
        except checks.PreflightError as exc:
            _fail(str(exc), code=1)
    else:
        print(f"target {cfg.target.kind}: the program provisions the cluster's prerequisites; only tools are checked")
    for result in results:
        print(result.line())
    if any(not r.ok for r in results):
        raise typer.Exit(1)


# Import names of the "kit" extra: planning, review and deployment tools the gateway image lacks.
KIT_MODULES = frozenset({"pulumi", "pulumi_aws", "pulumi_kubernetes", "helm_python", "kubernetes_validate", "regorus", "kubernetes"})


def main() -> None:
    try:
        app()
    except ModuleNotFoundError as exc:
        # Commands import the kit lazily, so the gateway image (no kit) still runs `privllm gateway`.
        if (exc.name or "").split(".")[0] not in KIT_MODULES:
            raise
        _error(f"this command needs the kit's tools ({exc.name} is not installed); install them with: pip install 'privllm[kit]'")
        raise SystemExit(2) from None



class RedteamFormat(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"
    html = "html"


@app.command()
def redteam(
    target: Annotated[str, typer.Option("--target", help="Base URL of the running gateway, e.g. https://llm-gateway.corp:8443.")],
    stack: StackOpt = None,
    key_env: Annotated[str, typer.Option("--key-env", help="Environment variable holding the red-team API key (never pass a key as an argument).")] = "PRIVLLM_REDTEAM_API_KEY",
    key_vault: Annotated[str | None, typer.Option("--key-vault", help="Read the key from Vault instead: KV v2 path in the stack's KV mount, field api_key (VAULT_ADDR, VAULT_TOKEN).")] = None,
    revoked_key_env: Annotated[str, typer.Option("--revoked-key-env", help="Environment variable with a revoked key for the auth probes (optional).")] = "PRIVLLM_REDTEAM_REVOKED_KEY",
    model: Annotated[str | None, typer.Option("--model", help="Model the probes use (default: redteam.model, else the stack's first model).")] = None,
    high_risk_model: Annotated[str | None, typer.Option("--high-risk-model", help="A high-risk model for the review-bypass probes (default: redteam.high_risk_model).")] = None,
    suite: Annotated[list[Path] | None, typer.Option("--suite", help="Extra probes as a JSONL file (repeatable).")] = None,
    family: Annotated[list[str] | None, typer.Option("--family", help="Run only these families (repeatable).")] = None,
    fmt: Annotated[RedteamFormat, typer.Option("--format", "-f", help="Report format.")] = RedteamFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to a file instead of stdout.")] = None,
    max_requests: Annotated[int | None, typer.Option("--max-requests", min=1, help="Stop after this many requests (default: redteam.max_requests).")] = None,
    rate: Annotated[float | None, typer.Option("--rate", min=0.01, help="Requests per second at most (default: redteam.requests_per_second).")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm a target that the stack's redteam.targets does not declare.")] = False,
    no_audit: Annotated[bool, typer.Option("--no-audit", help="Do not record the run in the SIEM (otherwise OTEL_EXPORTER_OTLP_ENDPOINT is required).")] = False,
) -> None:
    """Attack a running gateway with the red-team suites and gate on the stack's thresholds.

    Exit 0: every family meets its threshold. Exit 1: a family falls short, the run was incomplete, or the
    audit event was not accepted. Exit 2: usage error. It only sends requests; it never changes configuration.
    """
    import os
    import sys

    from privllm.redteam import audit
    from privllm.redteam.credentials import CredentialError, key_from_vault
    from privllm.redteam.report import FORMATS as REDTEAM_FORMATS
    from privllm.redteam.report import summary
    from privllm.redteam.runner import Gate, Settings, TargetError, run
    from privllm.redteam.suite import SUITE_VERSION, SuiteError, load

    cfg = _load(stack)
    rt = cfg.redteam
    if not target.startswith(("http://", "https://")):
        _fail(f"--target {target!r} is not an http(s) URL")
    if target.rstrip("/") not in [t.rstrip("/") for t in rt.targets]:
        if not yes:
            if not sys.stdin.isatty():
                _fail(f"--target {target} is not declared in the stack's redteam.targets; declare it there or confirm with --yes")
            if not typer.confirm(f"{target} is not declared in the stack's redteam.targets. Send attack traffic to it?"):
                raise typer.Exit(2)
    if not no_audit and not audit.configured():
        _fail("the run must be recorded in the SIEM: set OTEL_EXPORTER_OTLP_ENDPOINT (the collector), or pass --no-audit")
    if key_vault:
        try:
            api_key = key_from_vault(key_vault, cfg.vault.kv_mount)
        except CredentialError as exc:
            _fail(str(exc))
    else:
        api_key = os.environ.get(key_env, "")
        if not api_key:
            _fail(f"no API key: set {key_env} (or use --key-vault PATH); keys are never taken as arguments")
    try:
        probes = load(list(suite or []))
    except SuiteError as exc:
        _fail(str(exc))
    settings = Settings(
        target=target, api_key=api_key, model=model or rt.model or cfg.models[0].served_name,
        high_risk_model=high_risk_model or rt.high_risk_model, forbidden_model=rt.forbidden_model,
        revoked_key=os.environ.get(revoked_key_env) or None, rag_group=rt.rag_group,
        max_requests=max_requests or rt.max_requests, requests_per_second=rate or rt.requests_per_second,
        extraction_requests=rt.extraction_requests,
    )
    known = {p.family for p in probes} | {"auth", "review_bypass", "model_extraction"}
    for name in family or []:
        if name not in known:
            _fail(f"--family {name!r} is not a family of these suites; valid: {', '.join(sorted(known))}")
    try:
        result = run(settings, probes, SUITE_VERSION, families=list(family) if family else None)
    except TargetError as exc:
        _fail(f"{exc} (choose with --model / --high-risk-model or redteam.model / redteam.high_risk_model)")
    gate = Gate(dict(rt.thresholds), rt.default_threshold, rt.max_false_refusal)
    report = REDTEAM_FORMATS[fmt.value](result, gate)
    if output:
        output.write_text(report)
        print(f"report written to {output}")
    else:
        print(report, end="" if report.endswith("\n") else "\n")
    data = summary(result, gate)
    if not no_audit:
        try:
            audit.record(data)
        except (audit.AuditConfigError, OSError) as exc:
            _error(f"the red-team audit event was not recorded: {exc}")
            raise typer.Exit(1) from None
        err.print("audit event privllm.redteam.run recorded")
    if not data["passed"]:
        raise typer.Exit(1)


if __name__ == "__main__":
    main()
