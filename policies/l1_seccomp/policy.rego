# METADATA
# title: Seccomp RuntimeDefault
# description: >-
#   Every container runs under the RuntimeDefault (or a Localhost) seccomp profile, set on
#   the pod or on the container; Unconfined is refused wherever it appears.
# custom:
#   id: PLLM-L1-013
#   layer: 1
#   severity: high
#   controls: [PSS:restricted/seccomp, CIS-5.7.2]
#   kinds: [workloads]
package privllm.policies.l1_seccomp

import rego.v1

import data.privllm.lib.kubernetes as k

confined(profile) if profile.type in {"RuntimeDefault", "Localhost"}

profile(spec, container) := object.get(container, ["securityContext", "seccompProfile"], object.get(spec, ["securityContext", "seccompProfile"], {}))

deny contains msg if {
	k.restricted
	some pair in k.pod_containers
	[spec, container] := pair
	not confined(profile(spec, container))
	msg := sprintf("%s: container %s has no RuntimeDefault seccomp profile", [k.subject, container.name])
}

# Pod Security baseline only forbids turning seccomp off.
deny contains msg if {
	not k.restricted
	some pair in k.pod_containers
	[spec, container] := pair
	object.get(profile(spec, container), "type", "") == "Unconfined"
	msg := sprintf("%s: container %s runs with seccomp Unconfined", [k.subject, container.name])
}
