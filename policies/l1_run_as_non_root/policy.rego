# METADATA
# title: Containers run as non-root
# description: >-
#   runAsNonRoot is true for every container (on the pod or the container) and no container
#   asks for user id 0.
# custom:
#   id: PLLM-L1-014
#   layer: 1
#   severity: high
#   controls: [PSS:restricted/running-as-non-root, CIS-5.2.7, NSA-CISA:pod-security]
#   kinds: [workloads]
package privllm.policies.l1_run_as_non_root

import rego.v1

import data.privllm.lib.kubernetes as k

effective(spec, container, field) := object.get(container, ["securityContext", field], object.get(spec, ["securityContext", field], null))

deny contains msg if {
	k.restricted
	some pair in k.pod_containers
	[spec, container] := pair
	effective(spec, container, "runAsNonRoot") != true
	msg := sprintf("%s: container %s may run as root (runAsNonRoot is not true)", [k.subject, container.name])
}

deny contains msg if {
	k.restricted
	some pair in k.pod_containers
	[spec, container] := pair
	effective(spec, container, "runAsUser") == 0
	msg := sprintf("%s: container %s runs as user 0", [k.subject, container.name])
}
