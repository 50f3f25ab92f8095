# METADATA
# title: Secrets, volumes and logs are encrypted with a customer key
# description: >-
#   Kubernetes secrets are envelope-encrypted with KMS, node volumes are encrypted with the
#   stack's key, log groups are KMS-encrypted, and the key rotates.
# custom:
#   id: PLLM-L1-004
#   layer: 1
#   severity: high
#   controls: [CIS-EKS-5.3.1, NSA-CISA:encryption]
#   kinds: [CloudResource]
package privllm.policies.l1_kms_encryption

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains "EKS secrets are not envelope-encrypted with a KMS key" if {
	input.type == "aws:eks/cluster:Cluster"
	not secrets_encrypted
}

secrets_encrypted if {
	"secrets" in input.inputs.encryptionConfig.resources
	input.inputs.encryptionConfig.provider.keyArn != ""
}

deny contains msg if {
	input.type == "aws:ec2/launchTemplate:LaunchTemplate"
	some mapping in object.get(input.inputs, "blockDeviceMappings", [])
	not volume_encrypted(mapping)
	msg := sprintf("launch template %s has a volume that is not KMS-encrypted", [k.name])
}

volume_encrypted(mapping) if {
	lower(sprintf("%v", [mapping.ebs.encrypted])) == "true"
	mapping.ebs.kmsKeyId != ""
}

deny contains msg if {
	input.type == "aws:cloudwatch/logGroup:LogGroup"
	object.get(input.inputs, "kmsKeyId", "") == ""
	msg := sprintf("log group %s is not KMS-encrypted", [k.name])
}

deny contains msg if {
	input.type == "aws:kms/key:Key"
	object.get(input.inputs, "enableKeyRotation", false) != true
	msg := sprintf("KMS key %s does not rotate", [k.name])
}
