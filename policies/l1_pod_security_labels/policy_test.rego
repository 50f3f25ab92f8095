package privllm.policies.l1_pod_security_labels_test

import rego.v1

import data.privllm.policies.l1_pod_security_labels as p

ns(labels, annotations) := {"kind": "Namespace", "metadata": {"name": "a", "labels": labels, "annotations": annotations}}

test_restricted_allowed if {
	count(p.deny) == 0 with input as ns({"pod-security.kubernetes.io/enforce": "restricted"}, {})
}

test_unlabelled_denied if {
	count(p.deny) == 1 with input as ns({}, {})
}

test_privileged_without_reason_denied if {
	count(p.deny) == 1 with input as ns({"pod-security.kubernetes.io/enforce": "privileged"}, {})
}

test_privileged_with_reason_allowed if {
	count(p.deny) == 0 with input as ns({"pod-security.kubernetes.io/enforce": "privileged"}, {"privllm.io/pod-security-reason": "device plugin needs hostPath"})
}

test_misspelled_level_denied if {
	count(p.deny) > 0 with input as ns({"pod-security.kubernetes.io/enforce": "Restricted"}, {})
}
