# METADATA
# title: Images are pinned to a fixed version
# description: >-
#   Every image names a release tag or a digest; "latest" and a missing tag (which means
#   latest) are refused.
# custom:
#   id: PLLM-L3-003
#   layer: 3
#   severity: high
#   controls: [OWASP-LLM03, NSA-CISA:upgrading-application-security]
#   kinds: [workloads]
package privllm.policies.l3_fixed_image_versions

import rego.v1

import data.privllm.lib.kubernetes as k

last_segment(image) := segments[count(segments) - 1] if segments := split(image, "/")

has_digest(image) if regex.match(`@sha256:[0-9a-f]{64}$`, image)

tag(image) := parts[1] if {
	parts := split(last_segment(split(image, "@")[0]), ":")
	count(parts) == 2
}

deny contains msg if {
	some container in k.containers
	not has_digest(container.image)
	not tag(container.image)
	msg := sprintf("%s: container %s image %s has no tag (that means latest)", [k.subject, container.name, container.image])
}

deny contains msg if {
	some container in k.containers
	not has_digest(container.image)
	lower(tag(container.image)) == "latest"
	msg := sprintf("%s: container %s image %s uses latest", [k.subject, container.name, container.image])
}
