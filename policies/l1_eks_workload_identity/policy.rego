# METADATA
# title: AWS calls from pods use workload identities, never the node role
# description: >-
#   An EKS cluster runs the Pod Identity agent; the storage drivers (EBS CSI, Mountpoint for S3)
#   carry their own Pod Identity (or IRSA) role, so neither the node role nor instance metadata
#   (IMDS hop limit 1) grants pods anything; an in-cluster Vault has an identity for its KMS seal
#   and a NetworkPolicy that lets it reach the Pod Identity agent (169.254.170.23:80).
#   Every Pod Identity role trusts only the EKS Pod Identity agent.
# custom:
#   id: PLLM-L1-035
#   layer: 1
#   severity: high
#   controls: [CIS-EKS-5.2.1, NSA-CISA:authentication-authorization]
#   kinds: [CloudResource, HelmRelease]
#   gatekeeper: false
package privllm.policies.l1_eks_workload_identity

import rego.v1

import data.privllm.lib.kubernetes as k

driver_addons := {"aws-ebs-csi-driver", "aws-mountpoint-s3-csi-driver"}

resources(type) := [r | some r in k.inventory_of("CloudResource"); r.type == type]

deny contains msg if {
	input.type == "aws:eks/cluster:Cluster"
	count([a | some a in resources("aws:eks/addon:Addon"); a.inputs.addonName == "eks-pod-identity-agent"; a.inputs.clusterName == input.inputs.name]) == 0
	msg := sprintf("EKS cluster %s has no eks-pod-identity-agent add-on: pods would fall back to the node role", [k.name])
}

has_identity(addon) if count(object.get(addon.inputs, "podIdentityAssociations", [])) > 0

has_identity(addon) if object.get(addon.inputs, "serviceAccountRoleArn", "") != ""

deny contains msg if {
	input.type == "aws:eks/addon:Addon"
	input.inputs.addonName in driver_addons
	not has_identity(input)
	msg := sprintf("add-on %s has no Pod Identity association or IRSA role: it would use the node role through instance metadata", [input.inputs.addonName])
}

deny contains msg if {
	input.type == "aws:iam/role:Role"
	json.is_valid(object.get(input.inputs, "assumeRolePolicy", ""))
	doc := json.unmarshal(input.inputs.assumeRolePolicy)
	some s in doc.Statement
	s.Principal.Service == "pods.eks.amazonaws.com"
	some other in doc.Statement
	object.get(other, ["Principal", "Service"], "") != "pods.eks.amazonaws.com"
	msg := sprintf("Pod Identity role %s is also assumable by another principal", [k.name])
}

# An in-cluster Vault seals with awskms: its service account needs an identity for the key.
deny contains msg if {
	input.kind == "HelmRelease"
	endswith(input.spec.chart, "/vault")
	object.get(input.spec.values, ["server", "ha", "raft", "config"], "") != ""
	contains(input.spec.values.server.ha.raft.config, "seal \"awskms\"")
	count([a | some a in resources("aws:eks/podIdentityAssociation:PodIdentityAssociation"); a.inputs.namespace == input.metadata.namespace]) == 0
	msg := sprintf("Vault release %s seals with awskms but no Pod Identity association exists in namespace %s", [input.metadata.name, k.namespace])
}

agent_cidr := "169.254.170.23/32"

reaches_agent(ns) if {
	some np in k.inventory_of("NetworkPolicy")
	np.metadata.namespace == ns
	some rule in object.get(np.spec, "egress", [])
	some peer in object.get(rule, "to", [])
	peer.ipBlock.cidr == agent_cidr
}

vault_seals_with_kms if {
	input.kind == "HelmRelease"
	endswith(input.spec.chart, "/vault")
	contains(object.get(input.spec.values, ["server", "ha", "raft", "config"], ""), "seal \"awskms\"")
}

deny contains msg if {
	vault_seals_with_kms
	not reaches_agent(input.metadata.namespace)
	msg := sprintf("Vault release %s seals with awskms but no NetworkPolicy in %s admits egress to the Pod Identity agent (%s:80)", [input.metadata.name, k.namespace, agent_cidr])
}
