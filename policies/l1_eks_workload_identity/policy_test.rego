package privllm.policies.l1_eks_workload_identity_test

import rego.v1

import data.privllm.policies.l1_eks_workload_identity as p

cluster := {"kind": "CloudResource", "type": "aws:eks/cluster:Cluster", "metadata": {"name": "c"}, "inputs": {"name": "ref"}}

addon(name, extra) := {"kind": "CloudResource", "type": "aws:eks/addon:Addon", "metadata": {"name": name}, "inputs": object.union({"clusterName": "ref", "addonName": name}, extra)}

assoc(ns) := {"kind": "CloudResource", "type": "aws:eks/podIdentityAssociation:PodIdentityAssociation", "metadata": {"name": "a"}, "inputs": {"namespace": ns, "serviceAccount": "vault"}}

role(statements) := {"kind": "CloudResource", "type": "aws:iam/role:Role", "metadata": {"name": "r"}, "inputs": {"assumeRolePolicy": json.marshal({"Statement": statements})}}

pods := {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}

vault := {"kind": "HelmRelease", "metadata": {"name": "vault", "namespace": "privllm-vault"}, "spec": {"chart": "oci://m/charts/vault", "values": {"server": {"ha": {"raft": {"config": "seal \"awskms\" {\n}\n"}}}}}}

test_agent_allowed if {
	count(p.deny) == 0 with input as cluster with data.privllm.inventory as [addon("eks-pod-identity-agent", {})]
}

test_no_agent_denied if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as []
}

test_driver_with_pod_identity_allowed if {
	count(p.deny) == 0 with input as addon("aws-mountpoint-s3-csi-driver", {"podIdentityAssociations": [{"roleArn": "r", "serviceAccount": "s3-csi-driver-sa"}]})
}

test_driver_with_irsa_allowed if {
	count(p.deny) == 0 with input as addon("aws-ebs-csi-driver", {"serviceAccountRoleArn": "arn:r"})
}

test_driver_on_node_role_denied if {
	count(p.deny) == 1 with input as addon("aws-ebs-csi-driver", {})
}

test_pod_identity_role_allowed if {
	count(p.deny) == 0 with input as role([pods])
}

test_pod_identity_role_also_trusting_ec2_denied if {
	count(p.deny) == 1 with input as role([pods, {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}])
}

agent_egress(ns) := {"kind": "NetworkPolicy", "metadata": {"name": "allow-pod-identity-agent", "namespace": ns}, "spec": {"egress": [{"to": [{"ipBlock": {"cidr": "169.254.170.23/32"}}], "ports": [{"protocol": "TCP", "port": 80}]}]}}

test_vault_seal_with_identity_allowed if {
	count(p.deny) == 0 with input as vault with data.privllm.inventory as [assoc("privllm-vault"), agent_egress("privllm-vault")]
}

test_vault_seal_without_identity_denied if {
	count(p.deny) == 1 with input as vault with data.privllm.inventory as [assoc("kube-system"), agent_egress("privllm-vault")]
}

test_vault_seal_without_agent_egress_denied if {
	count(p.deny) == 1 with input as vault with data.privllm.inventory as [assoc("privllm-vault"), agent_egress("kube-system")]
}
