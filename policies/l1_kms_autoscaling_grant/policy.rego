# METADATA
# title: Auto Scaling may use the key that encrypts node volumes
# description: >-
#   Launch templates that encrypt root volumes with a customer managed key launch nothing unless
#   the key policy lets the EC2 Auto Scaling service-linked role use the key and create grants
#   for the volumes it attaches (AWS resources only), as AWS documents.
# custom:
#   id: PLLM-L1-033
#   layer: 1
#   severity: high
#   controls: [CIS-EKS-5.3.1, NSA-CISA:encryption]
#   kinds: [CloudResource]
#   gatekeeper: false
package privllm.policies.l1_kms_autoscaling_grant

import rego.v1

import data.privllm.lib.kubernetes as k

slr_suffix := ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"

use_actions := {"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}

volumes_use_a_customer_key if {
	some lt in k.inventory_of("CloudResource")
	lt.type == "aws:ec2/launchTemplate:LaunchTemplate"
	some mapping in object.get(lt.inputs, "blockDeviceMappings", [])
	object.get(mapping, ["ebs", "kmsKeyId"], "") != ""
}

statements := json.unmarshal(input.inputs.policy).Statement if json.is_valid(object.get(input.inputs, "policy", ""))

as_set(x) := {x} if is_string(x)

as_set(x) := {v | some v in x} if is_array(x)

for_autoscaling(s) if {
	s.Effect == "Allow"
	some principal in as_set(s.Principal.AWS)
	endswith(principal, slr_suffix)
}

may_use if {
	some s in statements
	for_autoscaling(s)
	use_actions - as_set(s.Action) == set()
}

may_grant if {
	some s in statements
	for_autoscaling(s)
	"kms:CreateGrant" in as_set(s.Action)
	s.Condition.Bool["kms:GrantIsForAWSResource"] in {true, "true"}
}

deny contains msg if {
	input.type == "aws:kms/key:Key"
	volumes_use_a_customer_key
	not may_use
	msg := sprintf("KMS key %s does not let the Auto Scaling service-linked role use it: node groups with encrypted root volumes launch no instances", [k.name])
}

deny contains msg if {
	input.type == "aws:kms/key:Key"
	volumes_use_a_customer_key
	not may_grant
	msg := sprintf("KMS key %s does not let the Auto Scaling service-linked role create grants for AWS resources (EBS volumes)", [k.name])
}
