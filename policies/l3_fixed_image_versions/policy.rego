# METADATA
# title: Images are pinned to a fixed version
# description: >-
#   Every image names a digest or a version-shaped tag (1.2.3, v0.11.0, 7.4.1-alpine,
#   2024.05.01); "latest", a missing tag (which means latest) and moving names such as
#   main, dev, nightly or stable are refused. The kit is stricter than a plain "no latest"
#   check; a stack may state its own version pattern (review.version_tag_pattern).
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

has_digest(image) if {
	contains(image, "@sha256:")
	regex.match(`@sha256:[0-9a-f]{64}$`, image)
}

tag(image) := parts[1] if {
	parts := split(last_segment(split(image, "@")[0]), ":")
	count(parts) == 2
}

# Digits first, then dot-separated digits, then an optional suffix (-alpine, -cuda12.4, +build.1).
default_version_pattern := `^[vV]?[0-9]+(\.[0-9]+)*([-+_.][0-9A-Za-z][0-9A-Za-z._+-]*)?$`

version_pattern := object.get(k.params, "version_tag_pattern", default_version_pattern)

deny contains msg if {
	some container in k.containers
	is_string(container.image)
	not has_digest(container.image)
	not tag(container.image)
	msg := sprintf("%s: container %s image %s has no tag (that means latest)", [k.subject, container.name, container.image])
}

deny contains msg if {
	some container in k.containers
	is_string(container.image)
	not has_digest(container.image)
	t := tag(container.image)
	not regex.match(version_pattern, t)
	msg := sprintf("%s: container %s image %s uses the moving tag %q; pin a version tag or a digest", [k.subject, container.name, container.image, t])
}
