package privllm.policies.l1_eks_private_api_path_in_test

import rego.v1

import data.privllm.policies.l1_eks_private_api_path_in as p

cluster := {"kind": "CloudResource", "type": "aws:eks/cluster:Cluster", "metadata": {"name": "c"}, "inputs": {"name": "ref", "vpcConfig": {"endpointPublicAccess": false, "endpointPrivateAccess": true}}}

attachment := {"kind": "CloudResource", "type": "aws:ec2transitgateway/vpcAttachment:VpcAttachment", "metadata": {"name": "tgw"}, "inputs": {"transitGatewayId": "tgw-1"}}

route(cidr, tgw) := {"kind": "CloudResource", "type": "aws:ec2/route:Route", "metadata": {"name": "r"}, "inputs": {"destinationCidrBlock": cidr, "transitGatewayId": tgw}}

runner(public) := {"kind": "CloudResource", "type": "aws:ec2/instance:Instance", "metadata": {"name": "runner"}, "inputs": {"associatePublicIpAddress": public, "iamInstanceProfile": "p"}}

test_routed_attachment_allowed if {
	count(p.deny) == 0 with input as cluster with data.privllm.inventory as [attachment, route("10.10.0.0/16", "tgw-1")]
}

test_runner_allowed if {
	count(p.deny) == 0 with input as cluster with data.privllm.inventory as [runner(false)]
}

test_nothing_denied if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as []
}

test_unrouted_attachment_denied if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as [attachment, route("10.10.0.0/16", "tgw-other")]
}

test_public_runner_does_not_count if {
	count(p.deny) == 1 with input as cluster with data.privllm.inventory as [runner(true)]
}

test_default_route_denied if {
	count(p.deny) == 1 with input as route("0.0.0.0/0", "tgw-1")
}
