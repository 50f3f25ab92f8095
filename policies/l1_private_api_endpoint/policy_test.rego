package privllm.policies.l1_private_api_endpoint_test

import rego.v1

import data.privllm.policies.l1_private_api_endpoint as p

eks(vpc) := {"kind": "CloudResource", "type": "aws:eks/cluster:Cluster", "inputs": {"vpcConfig": vpc}}

test_private_only_allowed if {
	count(p.deny) == 0 with input as eks({"endpointPublicAccess": false, "endpointPrivateAccess": true})
}

test_public_denied if {
	count(p.deny) == 1 with input as eks({"endpointPublicAccess": true, "endpointPrivateAccess": true})
}

test_unset_public_counts_as_public if {
	count(p.deny) == 1 with input as eks({"endpointPrivateAccess": true})
}

test_string_false_is_not_false if {
	count(p.deny) == 1 with input as eks({"endpointPublicAccess": "false", "endpointPrivateAccess": true})
}

test_other_resources_ignored if {
	count(p.deny) == 0 with input as {"kind": "CloudResource", "type": "aws:ec2/vpc:Vpc", "inputs": {}}
}
