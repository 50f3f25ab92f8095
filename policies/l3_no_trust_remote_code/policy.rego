# METADATA
# title: No remote code from model repositories
# description: >-
#   No container runs with --trust-remote-code (any spelling vLLM accepts) or its environment
#   equivalent: code shipped with weights is not executed.
# custom:
#   id: PLLM-L3-004
#   layer: 3
#   severity: critical
#   controls: [OWASP-LLM03, OWASP-LLM04]
#   kinds: [workloads]
package privllm.policies.l3_no_trust_remote_code

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains msg if {
	some container in k.containers
	line := k.command_line(container)
	contains(line, "--trust-remote-code")
	regex.match(`(^|[\s'"])--trust-remote-code([\s'"=]|$)`, line)
	msg := sprintf("%s: container %s runs with --trust-remote-code", [k.subject, container.name])
}

deny contains msg if {
	some container in k.containers
	some env in object.get(container, "env", [])
	upper(env.name) in {"VLLM_TRUST_REMOTE_CODE", "TRUST_REMOTE_CODE", "HF_TRUST_REMOTE_CODE"}
	lower(sprintf("%v", [object.get(env, "value", "")])) in {"1", "true", "yes"}
	msg := sprintf("%s: container %s trusts remote code through %s", [k.subject, container.name, k.shown(env, "name")])
}
