# METADATA
# title: Volumes on EKS are provisioned encrypted with the kit's key
# description: >-
#   An EKS cluster runs the EBS CSI driver and has a default StorageClass that encrypts with a
#   customer managed key, so claims that name no class (Vault's) bind, encrypted. Every EBS
#   StorageClass encrypts with a KMS key.
# custom:
#   id: PLLM-L1-034
#   layer: 1
#   severity: high
#   controls: [CIS-EKS-5.3.1, NSA-CISA:encryption]
#   kinds: [CloudResource, StorageClass]
#   gatekeeper: false
package privllm.policies.l1_eks_encrypted_storage

import rego.v1

import data.privllm.lib.kubernetes as k

ebs_provisioner := "ebs.csi.aws.com"

encrypted(sc) if {
	sc.provisioner == ebs_provisioner
	object.get(sc, ["parameters", "encrypted"], "false") == "true"
	object.get(sc, ["parameters", "kmsKeyId"], "") != ""
}

is_default(sc) if sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"] == "true"

deny contains msg if {
	input.type == "aws:eks/cluster:Cluster"
	count([a |
		some a in k.inventory_of("CloudResource")
		a.type == "aws:eks/addon:Addon"
		a.inputs.addonName == "aws-ebs-csi-driver"
		a.inputs.clusterName == input.inputs.name
	]) == 0
	msg := sprintf("EKS cluster %s has no aws-ebs-csi-driver add-on: volume claims stay Pending", [k.name])
}

deny contains msg if {
	input.type == "aws:eks/cluster:Cluster"
	count([sc | some sc in k.inventory_of("StorageClass"); is_default(sc); encrypted(sc)]) == 0
	msg := sprintf("EKS cluster %s has no default StorageClass that encrypts EBS volumes with a KMS key", [k.name])
}

deny contains msg if {
	input.kind == "StorageClass"
	input.provisioner == ebs_provisioner
	not encrypted(input)
	msg := sprintf("StorageClass %s provisions EBS volumes without encrypted: \"true\" and a kmsKeyId", [k.name])
}
