"""Platform alerts (GPU health, Vault, the collector, the time-to-first-token SLO), as one
PrometheusRule built from StackConfig. Chart alerts live in the charts; every alert of both
kinds links <runbook_base_url>/<component>/<AlertName>.md."""

from __future__ import annotations

from privllm.facts import (
    BURN_RATE_FAST,
    BURN_RATE_SLOW,
    BURN_WINDOWS_FAST,
    BURN_WINDOWS_SLOW,
    LABEL_PART_OF,
    METRIC_RATELIMIT_STORE_UP,
    PROJECT,
    TTFT_OBJECTIVE_SECONDS,
    TTFT_SLO,
    VLLM_METRIC_TTFT,
)
from privllm.stack import StackConfig

# Where each third-party metric comes from: the contract tests hold alerts to this list.
EXTERNAL_METRICS = {
    "DCGM_FI_DEV_XID_ERRORS": "NVIDIA DCGM exporter",
    "DCGM_FI_DEV_FB_USED": "NVIDIA DCGM exporter",
    "DCGM_FI_DEV_FB_FREE": "NVIDIA DCGM exporter",
    "DCGM_FI_DEV_GPU_TEMP": "NVIDIA DCGM exporter",
    "vault_core_unsealed": "Vault telemetry",
    "vault_audit_log_request_failure": "Vault telemetry",
    "otelcol_exporter_send_failed_log_records": "OpenTelemetry Collector internal metrics",
    "otelcol_exporter_queue_size": "OpenTelemetry Collector internal metrics",
    "otelcol_exporter_queue_capacity": "OpenTelemetry Collector internal metrics",
    "kube_deployment_spec_replicas": "kube-state-metrics",
    "kube_deployment_status_replicas_available": "kube-state-metrics",
    "up": "Prometheus",
}



def _rule(name: str, component: str, severity: str, expr: str, duration: str, summary: str, description: str, base: str) -> dict:
    return {
        "alert": name,
        "expr": expr,
        "for": duration,
        "labels": {"severity": severity, "component": component},
        "annotations": {"summary": summary, "description": description, "runbook_url": f"{base}/{component}/{name}.md"},
    }


def _ttft_bad_ratio(window: str) -> str:
    total = f"sum(rate({VLLM_METRIC_TTFT}_count[{window}]))"
    good = f'sum(rate({VLLM_METRIC_TTFT}_bucket{{le="{TTFT_OBJECTIVE_SECONDS}"}}[{window}]))'
    return f"(({total} - {good}) / {total})"


def _burn(factor: float, windows: tuple[str, str], budget: float) -> str:
    long, short = windows
    return f"({_ttft_bad_ratio(long)} > {factor * budget:.4f} and {_ttft_bad_ratio(short)} > {factor * budget:.4f})"


def platform_rules(cfg: StackConfig) -> dict:
    base = cfg.runbook_base_url
    budget = round(1 - TTFT_SLO, 4)
    rules = [
        _rule("GpuXidErrors", "gpu", "critical", "max by (Hostname, gpu) (DCGM_FI_DEV_XID_ERRORS) > 0", "0m",
              "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reports an XID error",
              "The driver reported a GPU fault; the model server on that GPU may hang or return garbage.", base),
        _rule("GpuMemoryExhausted", "gpu", "warning", "max by (Hostname, gpu) (DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)) > 0.98", "15m",
              "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has no free memory",
              "Something besides the planned vLLM allocation is using GPU memory, or a server leaked it.", base),
        _rule("GpuTemperatureHigh", "gpu", "warning", "max by (Hostname, gpu) (DCGM_FI_DEV_GPU_TEMP) > 85", "10m",
              "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is above 85 C",
              "The GPU will throttle; throughput drops and hardware ages faster.", base),
        _rule("VaultSealed", "vault", "critical", "min(vault_core_unsealed) == 0", "1m",
              "A Vault server is sealed",
              "Secrets cannot be read: pods that start now get no API keys or certificates; the gateway fails closed after its stale window.", base),
        _rule("VaultAuditDeviceFailing", "vault", "critical", "sum(rate(vault_audit_log_request_failure[5m])) > 0", "1m",
              "Vault cannot write its audit log",
              "Vault refuses requests it cannot audit; every secret read fails.", base),
        _rule("OtelExporterSendFailing", "collector", "critical", "sum by (exporter) (rate(otelcol_exporter_send_failed_log_records_total[5m])) > 0", "10m",
              "The collector cannot deliver audit records through {{ $labels.exporter }}",
              "Records wait in the persistent queue; the SIEM sees nothing new until delivery resumes.", base),
        _rule("OtelExporterQueueFilling", "collector", "warning", "max by (exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity) > 0.8", "10m",
              "The collector's sending queue for {{ $labels.exporter }} is over 80% full",
              "When it is full, new audit records are dropped: an audit gap.", base),
        # The gateway's rate-limit store: with the default policy (fail closed) every model call gets 503 while it is down.
        _rule("GatewayRateLimitStoreDown", "gateway", "critical", f"min({METRIC_RATELIMIT_STORE_UP}) == 0", "1m",
              "The gateway cannot reach its rate-limit store (Redis)",
              "Limits that fail closed refuse every model call with 503; limits set to local count per replica.", base),
        _rule("TimeToFirstTokenBudgetBurn", "vllm", "critical",
              " or ".join(_burn(factor, windows, budget) for factor, windows in ((BURN_RATE_FAST, BURN_WINDOWS_FAST), (BURN_RATE_SLOW, BURN_WINDOWS_SLOW))),
              "5m", "Time to first token misses its objective fast enough to spend the monthly budget in days",
              f"More than {budget:.0%} of requests wait over {TTFT_OBJECTIVE_SECONDS}s for a first token.", base),
    ]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "privllm-platform", "labels": {LABEL_PART_OF: PROJECT}},
        "spec": {"groups": [{"name": "privllm.platform", "rules": rules}]},
    }
