# METADATA
# title: EKS access goes through access entries, with a deployer who can apply the stack
# description: >-
#   With authentication mode API and the creator's bootstrap admin turned off, access entries are
#   the only way into the cluster: one principal must be cluster admin through an access policy
#   association (the deployer), no entry may claim a built-in system: group, and the deprecated
#   aws-auth ConfigMap mode is not used.
# custom:
#   id: PLLM-L1-031
#   layer: 1
#   severity: critical
#   controls: [CIS-EKS-5.5.1, NSA-CISA:authentication-authorization]
#   kinds: [CloudResource]
#   gatekeeper: false
package privllm.policies.l1_eks_access_entries

import rego.v1

import data.privllm.lib.kubernetes as k

cluster_admin_policy := "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

resources(type) := [r | some r in k.inventory_of("CloudResource"); r.type == type]

is_cluster if input.type == "aws:eks/cluster:Cluster"

mode := object.get(input.inputs, ["accessConfig", "authenticationMode"], "CONFIG_MAP")

deny contains msg if {
	is_cluster
	mode == "CONFIG_MAP"
	msg := sprintf("EKS cluster %s authenticates through the aws-auth ConfigMap; use authenticationMode API with access entries", [k.name])
}

deny contains msg if {
	is_cluster
	object.get(input.inputs, ["accessConfig", "bootstrapClusterCreatorAdminPermissions"], true) != false
	msg := sprintf("EKS cluster %s gives its creator an implicit admin entry; declare the deployer's access entry instead", [k.name])
}

deny contains msg if {
	is_cluster
	mode != "CONFIG_MAP"
	count(deployers) == 0
	msg := sprintf("EKS cluster %s has no access entry with AmazonEKSClusterAdminPolicy at cluster scope: nobody could apply the stack", [k.name])
}

deployers contains a.inputs.principalArn if {
	some a in resources("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
	a.inputs.clusterName == input.inputs.name
	a.inputs.policyArn == cluster_admin_policy
	a.inputs.accessScope.type == "cluster"
	some e in resources("aws:eks/accessEntry:AccessEntry")
	e.inputs.clusterName == input.inputs.name
	e.inputs.principalArn == a.inputs.principalArn
}

deny contains msg if {
	input.type == "aws:eks/accessEntry:AccessEntry"
	some group in object.get(input.inputs, "kubernetesGroups", [])
	startswith(group, "system:")
	msg := sprintf("access entry %s maps %s to the built-in group %s; map it to the kit's RBAC groups", [k.name, input.inputs.principalArn, group])
}
