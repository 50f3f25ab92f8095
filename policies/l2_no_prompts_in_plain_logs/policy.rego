# METADATA
# title: No prompt content in plain logs
# description: >-
#   Model servers do not log requests (vLLM --enable-log-requests writes prompts to stdout,
#   in any spelling the parser accepts), and the gateway's audit mode is never "plain".
# custom:
#   id: PLLM-L2-005
#   layer: 2
#   severity: high
#   controls: [OWASP-LLM02, OWASP-LLM07]
#   kinds: [workloads, ConfigMap]
#   needs_text: {ConfigMap: [gateway.yaml]}
package privllm.policies.l2_no_prompts_in_plain_logs

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains msg if {
	some container in k.containers
	line := k.command_line(container)
	contains(line, "--enable-log-requests") # cheap guard: a regex costs more than the rest of the policy
	regex.match(`(^|[\s'"])--enable-log-requests([\s'"=]|$)`, line)
	msg := sprintf("%s: container %s logs requests, which writes prompts to plain logs", [k.subject, container.name])
}

deny contains msg if {
	some container in k.containers
	some env in object.get(container, "env", [])
	upper(env.name) == "VLLM_LOG_REQUESTS"
	lower(sprintf("%v", [object.get(env, "value", "")])) in {"1", "true", "yes"}
	msg := sprintf("%s: container %s enables request logging through the environment", [k.subject, container.name])
}

deny contains msg if {
	cfg := k.gateway_config
	not cfg.prompt_logging in {"never", "hash", "redacted"}
	msg := sprintf("gateway prompt_logging %q would put prompt text in audit records", [cfg.prompt_logging])
}
