"""Pod Identity roles: trusted by the EKS Pod Identity agent only; Vault's seal reaches the kit's key only."""

from __future__ import annotations

import json

from privllm.infra.components.workload_identity import POD_IDENTITY_AGENT_CIDR, POD_IDENTITY_PRINCIPAL
from privllm.stack.naming import names
from tests.infra.inventory import cloud, named, objects, statements


def test_vault_service_account_may_use_the_kits_key_for_auto_unseal(reference):
    n = names(reference.cfg)
    assoc = named(reference, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "-vault-unseal-association")
    assert (assoc.inputs["namespace"], assoc.inputs["serviceAccount"]) == (n.vault_ns, n.vault_service_account)
    found = statements(named(reference, "aws:iam/rolePolicy:RolePolicy", "-vault-unseal-role"))
    assert found["AutoUnseal"]["Resource"] == "arn:(known after apply):privllm-ref-keys-cmk"
    assert set(found["AutoUnseal"]["Action"]) == {"kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"}


def test_vault_chart_uses_that_service_account(reference):
    vault = next(r for r in reference.releases if r.name.endswith("-secrets-vault"))
    assert vault.inputs["values"]["server"]["serviceAccount"]["name"] == names(reference.cfg).vault_service_account


def test_every_workload_role_trusts_only_the_pod_identity_agent(reference):
    roles = [r for r in cloud(reference, "aws:iam/role:Role") if any(k in r.name for k in ("-storage-", "-vault-unseal", "-cluster-autoscaler", "-controller"))]
    assert len(roles) == 5
    for role in roles:
        (stmt,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert stmt["Principal"] == {"Service": POD_IDENTITY_PRINCIPAL}
        assert set(stmt["Action"]) == {"sts:AssumeRole", "sts:TagSession"}


def test_vault_pods_may_reach_the_pod_identity_agent_and_nothing_more(reference):
    n = names(reference.cfg)
    (np,) = [o for o in objects(reference, "NetworkPolicy") if o["metadata"]["name"] == "allow-pod-identity-agent"]
    assert np["metadata"]["namespace"] == n.vault_ns
    assert np["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "vault"}}
    assert np["spec"]["policyTypes"] == ["Egress"] and "ingress" not in np["spec"]
    assert np["spec"]["egress"] == [{"to": [{"ipBlock": {"cidr": POD_IDENTITY_AGENT_CIDR}}], "ports": [{"protocol": "TCP", "port": 80}]}]
