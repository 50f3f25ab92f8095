# METADATA
# title: Control-plane logs go to a log group the program owns, encrypted and retention-bound
# description: >-
#   EKS writes control-plane logs to /aws/eks/<cluster>/cluster and creates that group itself,
#   unencrypted and kept forever, when the program does not. The program creates it with the
#   kit's KMS key and a retention CloudWatch Logs accepts.
# custom:
#   id: PLLM-L6-011
#   layer: 6
#   severity: medium
#   controls: [CIS-EKS-2.1.1, AWS-FSBP:CloudWatch.16, NSA-CISA:audit-logging]
#   kinds: [CloudResource]
#   gatekeeper: false
package privllm.policies.l6_eks_control_plane_log_group

import rego.v1

import data.privllm.lib.kubernetes as k

# PutRetentionPolicy's accepted values.
retention_days := {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

groups := [g |
	some g in k.inventory_of("CloudResource")
	g.type == "aws:cloudwatch/logGroup:LogGroup"
	g.inputs.name == sprintf("/aws/eks/%s/cluster", [input.inputs.name])
]

deny contains msg if {
	input.type == "aws:eks/cluster:Cluster"
	count(groups) == 0
	msg := sprintf("EKS cluster %s: the program creates no /aws/eks/%s/cluster log group, so EKS creates one unencrypted and never expiring", [k.name, input.inputs.name])
}

deny contains msg if {
	input.type == "aws:eks/cluster:Cluster"
	some g in groups
	object.get(g.inputs, "kmsKeyId", "") == ""
	msg := sprintf("control-plane log group %s is not encrypted with a KMS key", [g.inputs.name])
}

deny contains msg if {
	input.type == "aws:eks/cluster:Cluster"
	some g in groups
	not object.get(g.inputs, "retentionInDays", 0) in retention_days
	msg := sprintf("control-plane log group %s has no retention CloudWatch accepts (got %v)", [g.inputs.name, object.get(g.inputs, "retentionInDays", null)])
}
