package privllm.policies.l4_token_automount_off_test

import rego.v1

import data.privllm.policies.l4_token_automount_off as p

test_sa_off_allowed if {
	count(p.deny) == 0 with input as {"kind": "ServiceAccount", "metadata": {"name": "s"}, "automountServiceAccountToken": false}
}

test_sa_default_denied if {
	count(p.deny) == 1 with input as {"kind": "ServiceAccount", "metadata": {"name": "s"}}
}

test_pod_default_denied if {
	count(p.deny) == 1 with input as {"kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": []}}
}
