# METADATA
# title: Images and charts come from the mirror
# description: >-
#   Every image is pulled from the stack's registry mirror (matched up to a path boundary, so
#   a host that only starts like the mirror is refused) and every chart from the chart mirror.
#   Without a known mirror, no image may name a public registry.
# custom:
#   id: PLLM-L3-002
#   layer: 3
#   severity: critical
#   controls: [OWASP-LLM03, NSA-CISA:upgrading-application-security, CIS-5.5.1]
#   kinds: [workloads, HelmRelease]
package privllm.policies.l3_images_from_mirror

import rego.v1

import data.privllm.lib.kubernetes as k

# Registries on the internet (privllm/facts.py PUBLIC_REGISTRIES, passed as a parameter).
public_registries := {r | some r in object.get(k.params, "public_registries", [])}

mirror := k.params.mirror

from_mirror(image) if startswith(image, concat("", [mirror, "/"]))

# Registries the stack allows besides the mirror (review.allowed_registries), path-bounded too.
from_mirror(image) if {
	some registry in object.get(k.params, "allowed_registries", [])
	startswith(image, concat("", [trim_suffix(registry, "/"), "/"]))
}

# Docker resolves a first path segment as a registry only if it looks like a host.
registry_like(first) if contains(first, ".")

registry_like(first) if contains(first, ":")

registry_like(first) if first == "localhost"

host(image) := lower(split(first, ":")[0]) if {
	first := split(image, "/")[0]
	contains(image, "/")
	registry_like(first)
}

host(image) := "docker.io" if not contains(image, "/")

host(image) := "docker.io" if {
	contains(image, "/")
	not registry_like(split(image, "/")[0])
}

# The host or any parent domain of it is a public registry (europe-docker.gcr.io is gcr.io).
public(image) if {
	labels := split(host(image), ".")
	some i in numbers.range(0, count(labels) - 1)
	concat(".", array.slice(labels, i, count(labels))) in public_registries
}

deny contains msg if {
	mirror
	some container in k.containers
	is_string(container.image)
	not from_mirror(container.image)
	msg := sprintf("%s: container %s pulls %s, which is not from the mirror %s", [k.subject, container.name, container.image, mirror])
}

deny contains msg if {
	not mirror
	some container in k.containers
	is_string(container.image)
	public(container.image)
	not from_mirror(container.image)
	msg := sprintf("%s: container %s pulls %s from a public registry", [k.subject, container.name, container.image])
}

deny contains msg if {
	input.kind == "HelmRelease"
	repo := k.params.chart_repository
	not startswith(input.spec.chart, concat("", [repo, "/"]))
	object.get(input.spec, "repository", "") != repo
	msg := sprintf("chart %s does not come from the chart mirror %s", [input.spec.chart, repo])
}
