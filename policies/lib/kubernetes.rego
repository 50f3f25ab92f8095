# Helpers shared by the privllm policies: pod specs inside any workload, containers,
# and a printable name for the resource under review.
package privllm.lib.kubernetes

import rego.v1

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

pod_specs contains spec if {
	input.kind == "Pod"
	spec := input.spec
}

pod_specs contains spec if {
	input.kind in workload_kinds
	spec := input.spec.template.spec
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

containers contains container if {
	some spec in pod_specs
	some field in ["initContainers", "containers", "ephemeralContainers"]
	some container in object.get(spec, field, [])
}

# Labels of the pods a workload creates.
pod_labels := object.get(input.spec.template, ["metadata", "labels"], {}) if input.kind in workload_kinds

pod_labels := object.get(input.spec.leaderWorkerTemplate.leaderTemplate, ["metadata", "labels"], {}) if input.kind == "LeaderWorkerSet"

pod_labels := object.get(input, ["metadata", "labels"], {}) if input.kind == "Pod"

is_model_server if pod_labels["app.kubernetes.io/name"] == "vllm-server"

is_gateway if pod_labels["app.kubernetes.io/name"] == "llm-gateway"

namespace := object.get(input.metadata, "namespace", "")

# The whole command line of a container, lower-cased, underscores read as dashes
# (vLLM's parser accepts both spellings).
command_line(container) := lower(replace(concat(" ", array.concat(object.get(container, "command", []), object.get(container, "args", []))), "_", "-"))

# The gateway's configuration, parsed from its ConfigMap.
gateway_config := yaml.unmarshal(input.data["gateway.yaml"]) if {
	input.kind == "ConfigMap"
	input.data["gateway.yaml"]
}

# Objects in the reviewed set (data.inventory), by kind.
inventory_of(kind) := [obj | some obj in object.get(data, "inventory", []); obj.kind == kind]

# Review parameters derived from the stack, when the review knows one.
params := object.get(data, "params", {})
