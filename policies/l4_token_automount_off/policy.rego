# METADATA
# title: Service-account tokens are not mounted
# description: >-
#   ServiceAccounts and pods turn token automount off; a workload that needs a token gets a
#   projected, audience-bound one explicitly.
# custom:
#   id: PLLM-L4-004
#   layer: 4
#   severity: medium
#   controls: [CIS-5.1.5, CIS-5.1.6]
#   kinds: [ServiceAccount, Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, LeaderWorkerSet]
package privllm.policies.l4_token_automount_off

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains msg if {
	input.kind == "ServiceAccount"
	object.get(input, "automountServiceAccountToken", true) != false
	msg := sprintf("ServiceAccount %s mounts its token into every pod", [k.name])
}

deny contains msg if {
	some spec in k.pod_specs
	object.get(spec, "automountServiceAccountToken", true) != false
	msg := sprintf("%s does not turn off service-account token automount", [k.subject])
}
