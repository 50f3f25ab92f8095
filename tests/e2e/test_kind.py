"""The security layers proven in a real cluster (kind). Opt-in: see conftest.py."""

from __future__ import annotations

import json

from tests.e2e.conftest import eventually

GW_NS, SERVING_NS, VAULT_NS = "privllm-gateway", "privllm-serving", "privllm-vault"


def _image(cluster) -> str:
    return cluster.cfg.mirror.image_ref("gateway")


def _python_get(url: str) -> str:
    return f"python3 -c \"import urllib.request,sys; urllib.request.urlopen('{url}', timeout=5); print('reached')\""


def test_gateway_reaches_the_model_server(cluster):
    model = cluster.cfg.models[0]
    url = f"http://{model.name}-vllm-server.{SERVING_NS}.svc:8000/health"
    r = cluster.run_pod(GW_NS, "as-gateway", {"app.kubernetes.io/name": "llm-gateway"}, _python_get(url), _image(cluster))
    assert "reached" in r.stdout, r.stderr


def test_other_pods_cannot_reach_the_model_server(cluster):
    model = cluster.cfg.models[0]
    url = f"http://{model.name}-vllm-server.{SERVING_NS}.svc:8000/health"
    r = cluster.run_pod(GW_NS, "intruder", {"app": "intruder"}, _python_get(url), _image(cluster))
    assert "reached" not in r.stdout


def test_model_server_cannot_reach_the_internet_or_vault(cluster):
    for url in ("https://1.1.1.1", f"https://vault.{VAULT_NS}.svc:8200/v1/sys/health"):
        r = cluster.run_pod(SERVING_NS, "egress-probe", {"app.kubernetes.io/name": "vllm-server"}, _python_get(url), _image(cluster))
        assert "reached" not in r.stdout, url


def test_pod_security_rejects_a_privileged_pod(cluster):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "privileged", "namespace": SERVING_NS},
           "spec": {"containers": [{"name": "x", "image": _image(cluster), "securityContext": {"privileged": True}}]}}
    r = cluster.kubectl("apply", "-f", "-", input=json.dumps(pod), check=False)
    assert r.returncode != 0 and "violates PodSecurity" in r.stderr


def test_gatekeeper_rejects_a_deployment_that_breaks_a_policy(cluster):
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "latest-tag", "namespace": SERVING_NS},
        "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": {"metadata": {"labels": {"app": "x"}}, "spec": {
            "automountServiceAccountToken": False,
            "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "x", "image": "docker.io/library/busybox:latest",
                            "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}}]}}},
    }
    r = cluster.kubectl("apply", "-f", "-", input=json.dumps(deployment), check=False)
    # Gatekeeper names the constraint (pllm-l3-003: fixed image versions) in its denial.
    assert r.returncode != 0
    assert "pllm-l3-003" in r.stderr.lower(), r.stderr


def test_gateway_key_from_in_cluster_vault(cluster, api_key):
    model = cluster.cfg.models[0].served_name
    key = api_key
    url = f"http://llm-gateway.{GW_NS}.svc:8080/v1/models"
    no_key = cluster.run_pod(GW_NS, "client", {"privllm.io/helm-test": "llm-gateway"}, _python_get(url), _image(cluster))
    assert "reached" not in no_key.stdout
    with_key = cluster.run_pod(
        GW_NS, "client-key", {"privllm.io/helm-test": "llm-gateway"},
        f"python3 -c \"import urllib.request; r=urllib.request.Request('{url}', headers={{'Authorization':'Bearer {key}'}}); print(urllib.request.urlopen(r, timeout=10).read())\"",
        _image(cluster),
    )
    assert model in with_key.stdout
    spec = json.loads(cluster.kubectl("-n", GW_NS, "get", "deploy/llm-gateway", "-o", "json").stdout)["spec"]["template"]["spec"]
    env_names = {e["name"] for c in spec["containers"] for e in c.get("env", [])}
    assert not any("KEY" in n or "TOKEN" in n or "PASSWORD" in n for n in env_names)
    assert any(v.get("csi") or v.get("projected") for v in spec["volumes"])


def test_audit_record_reaches_the_siem_standin_over_tls(cluster):
    def arrived():
        logs = cluster.kubectl("-n", "privllm-siem", "logs", "deploy/siem-standin", check=False).stdout
        assert "privllm.audit" in logs
    eventually(arrived)


def test_rbac_auditor_reads_workloads_not_secrets(cluster):
    auditor = cluster.cfg.rbac.auditor[0]
    can = lambda verb, res, ns: cluster.kubectl("auth", "can-i", verb, res, "-n", ns, "--as", "someone", "--as-group", auditor, check=False).stdout.strip()  # noqa: E731
    assert can("list", "deployments", SERVING_NS) == "yes"
    assert can("get", "secrets", SERVING_NS) == "no"


def test_rbac_app_client_cannot_exec(cluster):
    group = cluster.cfg.rbac.app_client[0]
    r = cluster.kubectl("auth", "can-i", "create", "pods/exec", "-n", SERVING_NS, "--as", "someone", "--as-group", group, check=False)
    assert r.stdout.strip() == "no"


def test_scale_from_zero(cluster, api_key):
    """A request to a scaled-to-zero model waits at the gateway, wakes the model through KEDA, and succeeds."""
    import pytest

    if cluster.kubectl("get", "namespace", "monitoring", check=False).returncode != 0:
        pytest.skip("scale-from-zero needs Prometheus in namespace monitoring (KEDA reads the gateway's in-flight metric from it)")
    model = cluster.cfg.models[0]
    deploy = f"{model.name}-vllm-server"

    def at_zero():
        replicas = cluster.kubectl("-n", SERVING_NS, "get", f"deploy/{deploy}", "-o", "jsonpath={.spec.replicas}").stdout
        assert replicas == "0"
    eventually(at_zero, timeout=model.autoscaling.cooldown_seconds + 300, every=15)
    body = json.dumps({"model": model.served_name, "messages": [{"role": "user", "content": "wake up"}]})
    command = (
        "python3 -c \"import urllib.request; "
        f"r=urllib.request.Request('http://llm-gateway.{GW_NS}.svc:8080/v1/chat/completions', data=b'{body}', "
        f"headers={{'Authorization':'Bearer {api_key}','Content-Type':'application/json'}}); "
        "print(urllib.request.urlopen(r, timeout=600).read())\""
    )
    r = cluster.run_pod(GW_NS, "wake", {"privllm.io/helm-test": "llm-gateway"}, command, _image(cluster))
    assert "Echo: wake up" in r.stdout, r.stderr
