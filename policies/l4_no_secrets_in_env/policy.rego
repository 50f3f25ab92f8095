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

# Words that make a variable name secret-looking (matched lower-cased; underscores read as dashes).
secretish := {"password", "passwd", "secret", "token", "apikey", "api-key", "credential", "privatekey", "private-key"}

secret_looking(name) if {
	normal := lower(replace(name, "_", "-"))
	some word in secretish
	contains(normal, word)
}

reference_to_a_file(name) if {
	some suffix in ["_FILE", "_PATH", "_DIR"]
	endswith(upper(name), suffix)
}

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
	is_string(env.name)
	secret_looking(env.name)
	not reference_to_a_file(env.name)
	object.get(env, "value", "") != ""
	msg := sprintf("%s: container %s has a literal value in %s", [k.subject, container.name, k.shown(env, "name")])
}

deny contains msg if {
	some container in k.containers
	line := k.command_line(container)
	some flag in ["--api-key", "--password", "--token", "--secret"]
	contains(line, flag)
	regex.match(`(^|[\s'"])--(api-key|password|token|secret)[\s'"=]+[^\s'"$(]`, line)
	msg := sprintf("%s: container %s passes a credential on its command line", [k.subject, container.name])
}
