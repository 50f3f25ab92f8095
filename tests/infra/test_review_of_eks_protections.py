"""The review fails a reference plan that drops any protection of issue 16, naming the policy.

Each case takes the documents of the real reference plan and removes or weakens one thing, as a
hand-edited or regressed program would; the review must then fail with that protection's id.
"""

from __future__ import annotations

import copy
import json

import pytest

from privllm.infra.plan import cloud_inventory
from privllm.policies.documents import cloud_documents, stack_document
from privllm.policies.review import review, review_params


@pytest.fixture(scope="module")
def documents(reference):
    return reference.objects + cloud_documents(cloud_inventory(reference)) + [stack_document(reference.cfg, "reference")]


def _type(doc, typ):
    return doc.get("kind") == "CloudResource" and doc["type"] == typ


def drop(predicate):
    return lambda docs: [d for d in docs if not predicate(d)]


def edit(predicate, change):
    def apply(docs):
        out = copy.deepcopy(docs)
        for d in out:
            if predicate(d):
                change(d)
        return out

    return apply


def _key_policy_without_autoscaling(doc):
    policy = json.loads(doc["inputs"]["policy"])
    policy["Statement"] = [s for s in policy["Statement"] if not s.get("Sid", "").startswith("AutoScaling")]
    doc["inputs"]["policy"] = json.dumps(policy)


def _s3_endpoint(doc):
    return _type(doc, "aws:ec2/vpcEndpoint:VpcEndpoint") and doc["inputs"]["serviceName"].endswith(".s3")


def _addon(name):
    return lambda d: _type(d, "aws:eks/addon:Addon") and d["inputs"]["addonName"] == name


CASES = {
    "no access policy association (deployer locked out)": (drop(lambda d: _type(d, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")), "PLLM-L1-031"),
    "no path in (transit gateway and runner removed)": (
        drop(lambda d: _type(d, "aws:ec2transitgateway/vpcAttachment:VpcAttachment") or _type(d, "aws:ec2/instance:Instance")),
        "PLLM-L1-039",
    ),
    "key policy without the Auto Scaling grant": (edit(lambda d: _type(d, "aws:kms/key:Key"), _key_policy_without_autoscaling), "PLLM-L1-033"),
    "no EBS CSI driver": (drop(_addon("aws-ebs-csi-driver")), "PLLM-L1-034"),
    "no encrypted default StorageClass": (drop(lambda d: d.get("kind") == "StorageClass"), "PLLM-L1-034"),
    "Mountpoint on the node role": (edit(_addon("aws-mountpoint-s3-csi-driver"), lambda d: d["inputs"].pop("podIdentityAssociations")), "PLLM-L1-035"),
    "Vault unseal without an identity": (drop(lambda d: _type(d, "aws:eks/podIdentityAssociation:PodIdentityAssociation") and d["inputs"]["namespace"] == "privllm-vault"), "PLLM-L1-035"),
    "Vault unseal cannot reach the Pod Identity agent": (drop(lambda d: d.get("kind") == "NetworkPolicy" and d["metadata"]["name"] == "allow-pod-identity-agent"), "PLLM-L1-035"),
    "vpc-cni without network policy": (edit(_addon("vpc-cni"), lambda d: d["inputs"].pop("configurationValues")), "PLLM-L1-032"),
    "S3 endpoint without a policy": (edit(_s3_endpoint, lambda d: d["inputs"].pop("policy")), "PLLM-L1-036"),
    "control-plane log group left to EKS": (drop(lambda d: _type(d, "aws:cloudwatch/logGroup:LogGroup") and d["inputs"].get("name", "").startswith("/aws/eks/")), "PLLM-L6-011"),
    "gateway without its load balancer": (drop(lambda d: d.get("kind") == "Service" and d["spec"].get("type") == "LoadBalancer"), "PLLM-L1-037"),
    "load balancer without TLS": (
        edit(lambda d: d.get("kind") == "Service" and d["spec"].get("type") == "LoadBalancer",
             lambda d: d["metadata"]["annotations"].pop("service.beta.kubernetes.io/aws-load-balancer-ssl-cert")),
        "PLLM-L1-037",
    ),
    "no node autoscaler for a pool that starts at zero": (drop(lambda d: d.get("kind") == "HelmRelease" and d["metadata"]["name"].endswith("-cluster-autoscaler")), "PLLM-L1-038"),
}


def test_the_reference_plan_passes(documents, reference):
    # With the charts cached the plan holds third-party objects too: the stack's reasoned exemptions apply.
    result = review(documents, review_params(reference.cfg), exemptions=list(reference.cfg.review.exemptions))
    assert result.errors == [] and result.findings == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_dropping_a_protection_fails_the_review(documents, reference, case):
    mutate, policy_id = CASES[case]
    changed = mutate(documents)
    assert changed != documents, "the mutation found nothing to change"
    result = review(changed, review_params(reference.cfg), exemptions=list(reference.cfg.review.exemptions))
    assert result.errors == []
    assert policy_id in {f.id for f in result.findings}, [f"{f.id}: {f.message}" for f in result.findings]
