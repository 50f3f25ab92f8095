# Helpers shared by the privllm policies: pod specs inside any workload, containers,
# and a printable identity for the resource under review that never depends on an
# optional field (a message built from a missing field is undefined: the finding vanishes).
package privllm.lib.kubernetes

import rego.v1

# Kinds whose pod template sits at spec.template (policies/workloads.py POD_KINDS is the list).
template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}

pod_specs contains spec if {
	input.kind == "Pod"
	spec := input.spec
}

pod_specs contains spec if {
	input.kind in template_kinds
	spec := input.spec.template.spec
}

pod_specs contains spec if {
	input.kind == "PodTemplate"
	spec := input.template.spec
}

pod_specs contains spec if {
	input.kind == "CronJob"
	spec := input.spec.jobTemplate.spec.template.spec
}

pod_specs contains spec if {
	input.kind == "LeaderWorkerSet"
	some role in ["leaderTemplate", "workerTemplate"]
	spec := input.spec.leaderWorkerTemplate[role].spec
}

# Every container, init and ephemeral ones included; a nameless container is named by its
# place (containers[0]) so that messages about it stay defined.
containers contains container if {
	some pair in pod_containers
	container := pair[1]
}

# [pod spec, container] for policies that read pod-level defaults (securityContext).
pod_containers contains [spec, container] if {
	some spec in pod_specs
	some field in ["initContainers", "containers", "ephemeralContainers"]
	some i, raw in as_array(object.get(spec, field, []))
	is_object(raw)
	container := object.union(raw, {"name": container_name(raw, field, i)})
}

container_name(raw, field, i) := raw.name if {
	is_string(raw.name)
	raw.name != ""
} else := sprintf("%s[%d]", [field, i])

# Labels of the pods a workload creates.
pod_labels := object.get(input.spec.template, ["metadata", "labels"], {}) if input.kind in template_kinds

pod_labels := object.get(input.template, ["metadata", "labels"], {}) if input.kind == "PodTemplate"

pod_labels := object.get(input.spec.jobTemplate.spec.template, ["metadata", "labels"], {}) if input.kind == "CronJob"

pod_labels := object.get(input.spec.leaderWorkerTemplate.leaderTemplate, ["metadata", "labels"], {}) if input.kind == "LeaderWorkerSet"

pod_labels := object.get(input, ["metadata", "labels"], {}) if input.kind == "Pod"

# The kit's own model server, or any container that runs vLLM (by image or command line).
is_model_server if pod_labels["app.kubernetes.io/name"] == "vllm-server"

is_model_server if count(model_containers) > 0

# Serving containers (init containers may share the image to check weights; they do not serve).
serving_containers contains container if {
	some spec in pod_specs
	some i, raw in as_array(object.get(spec, "containers", []))
	is_object(raw)
	container := object.union(raw, {"name": container_name(raw, "containers", i)})
}

model_containers contains container if {
	some container in serving_containers
	runs_vllm(container)
}

# The kit's model-server label with no container recognisably running vLLM (an unusual
# image): every serving container counts. With one that runs vLLM, sidecars do not.
model_containers contains container if {
	pod_labels["app.kubernetes.io/name"] == "vllm-server"
	not any_runs_vllm
	some container in serving_containers
}

any_runs_vllm if {
	some container in serving_containers
	runs_vllm(container)
}

# A vLLM image serves unless its command is replaced by something that does not serve
# (a weights-seeding Job, a checksum step); the image's own entrypoint is `vllm serve`.
runs_vllm(container) if {
	is_string(container.image)
	vllm_repository(image_repository(container.image))
	not replaced_by_non_server(container)
}

runs_vllm(container) if {
	line := command_line(container)
	contains(line, "vllm")
	regex.match(`(^|[\s/])vllm\s+serve\b|vllm\.entrypoints`, line)
}

replaced_by_non_server(container) if {
	count(as_array(object.get(container, "command", []))) > 0
	not serves(command_line(container))
}

# The image reference without its tag and digest, lower-cased.
image_repository(image) := lower(concat("/", array.concat(array.slice(segments, 0, count(segments) - 1), [split(segments[count(segments) - 1], ":")[0]]))) if {
	segments := split(split(image, "@")[0], "/")
}

# The last path segment names vLLM (vllm-openai, vllm-tpu) or the namespace is vllm/.
vllm_repository(repository) if {
	segments := split(repository, "/")
	contains(segments[count(segments) - 1], "vllm")
}

vllm_repository(repository) if {
	segments := split(repository, "/")
	count(segments) > 1
	segments[count(segments) - 2] == "vllm"
}

# String checks first: a regular expression costs more than the rest of a policy.
serves(line) if {
	contains(line, "serve")
	regex.match(`\bserve\b`, line)
}

serves(line) if contains(line, "entrypoints")

serves(line) if contains(line, "api-server")

is_gateway if pod_labels["app.kubernetes.io/name"] == "llm-gateway"

metadata := m if {
	m := input.metadata
	is_object(m)
} else := {}

namespace := ns if {
	ns := metadata.namespace
	is_string(ns)
} else := ""

# The object's name, its generateName prefix, or a placeholder: always defined.
name := n if {
	n := metadata.name
	is_string(n)
	n != ""
} else := sprintf("%s*", [g]) if {
	g := metadata.generateName
	is_string(g)
	g != ""
} else := "(unnamed)"

# "Kind name" for messages; a synthetic Pod made from a custom resource names its owner.
subject := s if {
	s := metadata.annotations["privllm.io/reviewed-as"]
	is_string(s)
} else := sprintf("%s %s", [input.kind, name])

# A field for a message: its value, or a placeholder when absent.
shown(obj, path) := sprintf("%v", [object.get(obj, path, "(unset)")])

# The whole command line of a container, lower-cased, underscores read as dashes
# (vLLM's parser accepts both spellings).
command_line(container) := lower(replace(concat(" ", [sprintf("%v", [a]) | some a in array.concat(as_array(object.get(container, "command", [])), as_array(object.get(container, "args", [])))]), "_", "-"))

as_array(x) := x if is_array(x)

as_array(x) := [] if not is_array(x)

env_of(container) := [e | some e in as_array(object.get(container, "env", [])); is_object(e)]

# The gateway's configuration, parsed from its ConfigMap.
gateway_config := yaml.unmarshal(input.data["gateway.yaml"]) if {
	input.kind == "ConfigMap"
	input.data["gateway.yaml"]
}

# Objects in the reviewed set by kind (review-only policies: Gatekeeper sees one object).
default inventory := {}

inventory := data.privllm.inventory

# The review passes a mapping by kind; a list (as in Rego tests) is filtered.
inventory_of(kind) := object.get(inventory, kind, []) if is_object(inventory)

inventory_of(kind) := [obj | some obj in inventory; obj.kind == kind] if is_array(inventory)

# Review parameters (data.privllm.params): derived from the stack and privllm/facts.py by
# the review; Gatekeeper passes a constraint's spec.parameters in their place.
default params := {}

params := data.privllm.params

# Pod Security profile of the namespace under review: restricted unless the parameters
# name the namespace baseline.
profile := object.get(object.get(params, "profiles", {}), namespace, object.get(params, "default_profile", "restricted"))

restricted if profile != "baseline"
