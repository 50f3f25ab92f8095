package privllm.policies.l1_kms_encryption_test

import rego.v1

import data.privllm.policies.l1_kms_encryption as p

test_encrypted_cluster_allowed if {
	count(p.deny) == 0 with input as {"type": "aws:eks/cluster:Cluster", "inputs": {"encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": "arn:k"}}}}
}

test_cluster_without_encryption_denied if {
	count(p.deny) == 1 with input as {"type": "aws:eks/cluster:Cluster", "inputs": {}}
}

test_unencrypted_volume_denied if {
	count(p.deny) == 1 with input as {"type": "aws:ec2/launchTemplate:LaunchTemplate", "metadata": {"name": "lt"}, "inputs": {"blockDeviceMappings": [{"ebs": {"encrypted": "false", "kmsKeyId": "k"}}]}}
}

test_boolean_true_accepted if {
	count(p.deny) == 0 with input as {"type": "aws:ec2/launchTemplate:LaunchTemplate", "metadata": {"name": "lt"}, "inputs": {"blockDeviceMappings": [{"ebs": {"encrypted": true, "kmsKeyId": "k"}}]}}
}

test_key_without_rotation_denied if {
	count(p.deny) == 1 with input as {"type": "aws:kms/key:Key", "metadata": {"name": "k"}, "inputs": {}}
}
