package privllm.policies.l1_eks_encrypted_storage_test

import rego.v1

import data.privllm.policies.l1_eks_encrypted_storage as p

cluster := {"kind": "CloudResource", "type": "aws:eks/cluster:Cluster", "metadata": {"name": "c"}, "inputs": {"name": "ref"}}

ebs := {"kind": "CloudResource", "type": "aws:eks/addon:Addon", "metadata": {"name": "ebs"}, "inputs": {"clusterName": "ref", "addonName": "aws-ebs-csi-driver"}}

sc(params, is_default) := {
	"kind": "StorageClass", "metadata": {"name": "gp3", "annotations": {"storageclass.kubernetes.io/is-default-class": is_default}},
	"provisioner": "ebs.csi.aws.com", "parameters": params,
}

good := {"type": "gp3", "encrypted": "true", "kmsKeyId": "arn:k"}

test_driver_and_encrypted_default_allowed if {
	count(p.deny) == 0 with input as cluster with data.privllm.inventory as [ebs, sc(good, "true")]
}

test_no_driver_denied if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as [sc(good, "true")]
}

test_encrypted_class_not_default_denied if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as [ebs, sc(good, "false")]
}

test_unencrypted_class_denied if {
	count(p.deny) == 1 with input as sc({"type": "gp3"}, "true")
}

test_encrypted_without_key_denied if {
	count(p.deny) == 1 with input as sc({"type": "gp3", "encrypted": "true"}, "true")
}

test_boolean_true_is_not_the_parameter_string if {
	count(p.deny) == 1 with input as sc({"type": "gp3", "encrypted": true, "kmsKeyId": "arn:k"}, "false")
}
