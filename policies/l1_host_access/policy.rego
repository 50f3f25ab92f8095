# METADATA
# title: No host namespaces, host paths or host ports
# description: >-
#   Pods do not share the node's network, PID or IPC namespaces, mount host paths, or bind
#   host ports.
# custom:
#   id: PLLM-L1-010
#   layer: 1
#   severity: critical
#   controls: [PSS:baseline/host-namespaces, PSS:baseline/hostpath-volumes, PSS:baseline/host-ports, CIS-5.2.3, CIS-5.2.4, CIS-5.2.5]
#   kinds: [workloads]
package privllm.policies.l1_host_access

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains msg if {
	some spec in k.pod_specs
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	spec[field] == true
	msg := sprintf("%s sets %s", [k.subject, field])
}

deny contains msg if {
	some spec in k.pod_specs
	some volume in object.get(spec, "volumes", [])
	volume.hostPath
	msg := sprintf("%s mounts the host path %s", [k.subject, k.shown(volume, ["hostPath", "path"])])
}

deny contains msg if {
	some container in k.containers
	some port in object.get(container, "ports", [])
	object.get(port, "hostPort", 0) != 0
	not allowed_host_port(port.hostPort)
	msg := sprintf("%s: container %s binds host port %v", [k.subject, container.name, k.shown(port, "hostPort")])
}

# Host ports a stack allows (review.host_port_ranges), e.g. a node agent's receiver.
allowed_host_port(port) if {
	some range in object.get(k.params, "host_port_ranges", [])
	port >= range.min
	port <= range.max
}
