# METADATA
# title: No secrets in environment variables or command lines
# description: >-
#   Containers take no value from a Secret into the environment, carry no literal credential
#   in an env var, and pass none on the command line (--api-key, --password, --token).
# custom:
#   id: PLLM-L4-005
#   layer: 4
#   severity: high
#   controls: [CIS-5.4.1, OWASP-LLM02, NSA-CISA:authentication-authorization]
#   kinds: [workloads]
package privllm.policies.l4_no_secrets_in_env

import rego.v1

import data.privllm.lib.kubernetes as k

secretish := `(?i)(password|passwd|secret|token|api[-_]?key|credential|private[-_]?key)`

deny contains msg if {
	some container in k.containers
	some env in object.get(container, "env", [])
	env.valueFrom.secretKeyRef
	msg := sprintf("%s: container %s reads Secret %s into env %s", [k.subject, container.name, k.shown(env, ["valueFrom", "secretKeyRef", "name"]), k.shown(env, "name")])
}

deny contains msg if {
	some container in k.containers
	some source in object.get(container, "envFrom", [])
	source.secretRef
	msg := sprintf("%s: container %s loads Secret %s into its environment", [k.subject, container.name, k.shown(source, ["secretRef", "name"])])
}

deny contains msg if {
	some container in k.containers
	some env in object.get(container, "env", [])
	regex.match(secretish, env.name)
	not regex.match(`(?i)_(FILE|PATH|DIR)$`, env.name)
	object.get(env, "value", "") != ""
	msg := sprintf("%s: container %s has a literal value in %s", [k.subject, container.name, k.shown(env, "name")])
}

deny contains msg if {
	some container in k.containers
	regex.match(`(^|[\s'"])--(api-key|password|token|secret)[\s'"=]+[^\s'"$(]`, k.command_line(container))
	msg := sprintf("%s: container %s passes a credential on its command line", [k.subject, container.name])
}
