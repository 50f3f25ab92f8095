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

import data.privllm.lib.kubernetes as k

labels := object.get(k.metadata, "labels", {})

level := labels["pod-security.kubernetes.io/enforce"]

deny contains msg if {
	not labels["pod-security.kubernetes.io/enforce"]
	msg := sprintf("namespace %s has no pod-security.kubernetes.io/enforce label", [k.name])
}

deny contains msg if {
	level != "restricted"
	object.get(object.get(k.metadata, "annotations", {}), "privllm.io/pod-security-reason", "") == ""
	msg := sprintf("namespace %s enforces %q without a privllm.io/pod-security-reason annotation", [k.name, level])
}

deny contains msg if {
	not level in {"restricted", "baseline", "privileged"}
	labels["pod-security.kubernetes.io/enforce"]
	msg := sprintf("namespace %s enforces the unknown level %q", [k.name, level])
}
