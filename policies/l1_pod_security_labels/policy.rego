# METADATA
# title: Namespaces enforce Pod Security Standards
# description: >-
#   Every namespace carries pod-security.kubernetes.io/enforce. Anything below "restricted"
#   must say why in the privllm.io/pod-security-reason annotation.
# custom:
#   id: PLLM-L1-009
#   layer: 1
#   severity: high
#   controls: [PSS:restricted, NSA-CISA:pod-security, CIS-5.2.1]
#   kinds: [Namespace]
package privllm.policies.l1_pod_security_labels

import rego.v1

labels := object.get(input.metadata, "labels", {})

level := labels["pod-security.kubernetes.io/enforce"]

deny contains msg if {
	not labels["pod-security.kubernetes.io/enforce"]
	msg := sprintf("namespace %s has no pod-security.kubernetes.io/enforce label", [input.metadata.name])
}

deny contains msg if {
	level != "restricted"
	object.get(object.get(input.metadata, "annotations", {}), "privllm.io/pod-security-reason", "") == ""
	msg := sprintf("namespace %s enforces %q without a privllm.io/pod-security-reason annotation", [input.metadata.name, level])
}

deny contains msg if {
	not level in {"restricted", "baseline", "privileged"}
	labels["pod-security.kubernetes.io/enforce"]
	msg := sprintf("namespace %s enforces the unknown level %q", [input.metadata.name, level])
}
