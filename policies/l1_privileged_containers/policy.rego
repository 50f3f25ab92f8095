# METADATA
# title: No privileged containers or privilege escalation
# description: >-
#   Containers are not privileged and set allowPrivilegeEscalation to false.
# custom:
#   id: PLLM-L1-011
#   layer: 1
#   severity: critical
#   controls: [PSS:baseline/privileged-containers, PSS:restricted/privilege-escalation, CIS-5.2.2, CIS-5.2.6]
#   kinds: [workloads]
package privllm.policies.l1_privileged_containers

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains msg if {
	some container in k.containers
	object.get(container, ["securityContext", "privileged"], false) == true
	msg := sprintf("%s: container %s is privileged", [k.subject, container.name])
}

deny contains msg if {
	k.restricted
	some container in k.containers
	object.get(container, ["securityContext", "allowPrivilegeEscalation"], true) != false
	msg := sprintf("%s: container %s does not set allowPrivilegeEscalation: false", [k.subject, container.name])
}
