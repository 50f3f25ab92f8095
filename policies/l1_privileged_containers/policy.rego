# METADATA
# title: No privileged containers or privilege escalation
# description: >-
#   Containers are not privileged and set allowPrivilegeEscalation to false.
# custom:
#   id: PLLM-L1-011
#   layer: 1
#   severity: critical
#   controls: [PSS:baseline/privileged-containers, PSS:restricted/privilege-escalation, CIS-5.2.2, CIS-5.2.6]
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, LeaderWorkerSet]
package privllm.policies.l1_privileged_containers

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains msg if {
	some container in k.containers
	object.get(container, ["securityContext", "privileged"], false) == true
	msg := sprintf("%s %s: container %s is privileged", [input.kind, input.metadata.name, container.name])
}

deny contains msg if {
	some container in k.containers
	object.get(container, ["securityContext", "allowPrivilegeEscalation"], true) != false
	msg := sprintf("%s %s: container %s does not set allowPrivilegeEscalation: false", [input.kind, input.metadata.name, container.name])
}
