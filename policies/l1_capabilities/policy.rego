# METADATA
# title: Capabilities dropped
# description: >-
#   Every container drops ALL capabilities and adds none except NET_BIND_SERVICE. Names are
#   compared case-insensitively, with or without the CAP_ prefix, as the runtime reads them.
# custom:
#   id: PLLM-L1-012
#   layer: 1
#   severity: high
#   controls: [PSS:restricted/capabilities, CIS-5.2.9, NSA-CISA:pod-security]
#   kinds: [workloads]
package privllm.policies.l1_capabilities

import rego.v1

import data.privllm.lib.kubernetes as k

normal(cap) := trim_prefix(upper(cap), "CAP_")

drops_all(container) if {
	some cap in container.securityContext.capabilities.drop
	normal(cap) == "ALL"
}

# Capabilities Pod Security baseline still allows a container to add.
baseline_caps := {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}

allowed_cap(cap) if normal(cap) == "NET_BIND_SERVICE"

allowed_cap(cap) if {
	not k.restricted
	normal(cap) in baseline_caps
}

deny contains msg if {
	k.restricted
	some container in k.containers
	not drops_all(container)
	msg := sprintf("%s: container %s does not drop ALL capabilities", [k.subject, container.name])
}

deny contains msg if {
	some container in k.containers
	some cap in k.as_array(object.get(container, ["securityContext", "capabilities", "add"], []))
	is_string(cap)
	not allowed_cap(cap)
	msg := sprintf("%s: container %s adds capability %s", [k.subject, container.name, cap])
}
