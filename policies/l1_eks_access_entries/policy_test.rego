package privllm.policies.l1_eks_access_entries_test

import rego.v1

import data.privllm.policies.l1_eks_access_entries as p

cluster(access) := {"kind": "CloudResource", "type": "aws:eks/cluster:Cluster", "metadata": {"name": "c"}, "inputs": {"name": "ref", "accessConfig": access}}

api := {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": false}

entry(arn, groups) := {"kind": "CloudResource", "type": "aws:eks/accessEntry:AccessEntry", "metadata": {"name": "e"}, "inputs": {"clusterName": "ref", "principalArn": arn, "kubernetesGroups": groups}}

assoc(arn, policy, scope) := {"kind": "CloudResource", "type": "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "metadata": {"name": "a"}, "inputs": {"clusterName": "ref", "principalArn": arn, "policyArn": policy, "accessScope": {"type": scope}}}

deployer := "arn:aws:iam::1:role/deployer"

admin := "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

test_deployer_allowed if {
	count(p.deny) == 0 with input as cluster(api) with data.privllm.inventory as [entry(deployer, []), assoc(deployer, admin, "cluster")]
}

test_no_entries_denied if {
	count(p.deny) == 1 with input as cluster(api) with data.privllm.inventory as []
}

test_association_without_entry_denied if {
	count(p.deny) == 1 with input as cluster(api) with data.privllm.inventory as [assoc(deployer, admin, "cluster")]
}

test_namespace_scoped_admin_is_not_a_deployer if {
	count(p.deny) == 1 with input as cluster(api) with data.privllm.inventory as [entry(deployer, []), assoc(deployer, admin, "namespace")]
}

test_other_clusters_entry_does_not_count if {
	other := object.union(entry(deployer, []), {"inputs": {"clusterName": "other"}})
	count(p.deny) == 1 with input as cluster(api) with data.privllm.inventory as [other, assoc(deployer, admin, "cluster")]
}

test_config_map_mode_denied if {
	"EKS cluster c authenticates through the aws-auth ConfigMap; use authenticationMode API with access entries" in p.deny with input as cluster({"authenticationMode": "CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": false})
}

test_creator_admin_denied if {
	count(p.deny) == 1 with input as cluster({"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": true}) with data.privllm.inventory as [entry(deployer, []), assoc(deployer, admin, "cluster")]
}

test_system_masters_denied if {
	count(p.deny) == 1 with input as entry(deployer, ["system:masters"])
}

test_kit_groups_allowed if {
	count(p.deny) == 0 with input as entry(deployer, ["llm-platform-admins"])
}
