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

deny contains msg if {
	some spec in k.pod_specs
	some field in ["initContainers", "containers", "ephemeralContainers"]
	some container in object.get(spec, field, [])
	not confined(object.get(container, ["securityContext", "seccompProfile"], object.get(spec, ["securityContext", "seccompProfile"], {})))
	msg := sprintf("%s: container %s has no RuntimeDefault seccomp profile", [k.subject, container.name])
}
