# METADATA
# title: Read-only root filesystem
# description: >-
#   Containers mount their root filesystem read-only; writable paths are explicit emptyDirs.
# custom:
#   id: PLLM-L1-015
#   layer: 1
#   severity: medium
#   controls: [NSA-CISA:immutable-containers, CIS-5.7.3]
#   kinds: [workloads]
package privllm.policies.l1_read_only_root_filesystem

import rego.v1

import data.privllm.lib.kubernetes as k

deny contains msg if {
	k.restricted
	some container in k.containers
	object.get(container, ["securityContext", "readOnlyRootFilesystem"], false) != true
	msg := sprintf("%s: container %s has a writable root filesystem", [k.subject, container.name])
}
