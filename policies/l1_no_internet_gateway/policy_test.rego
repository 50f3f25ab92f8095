package privllm.policies.l1_no_internet_gateway_test

import rego.v1

import data.privllm.policies.l1_no_internet_gateway as p

test_igw_denied if {
	count(p.deny) == 1 with input as {"kind": "CloudResource", "type": "aws:ec2/internetGateway:InternetGateway", "inputs": {}}
}

test_nat_denied if {
	count(p.deny) == 1 with input as {"kind": "CloudResource", "type": "aws:ec2/natGateway:NatGateway", "inputs": {}}
}

test_default_route_denied if {
	count(p.deny) == 1 with input as {"kind": "CloudResource", "type": "aws:ec2/routeTable:RouteTable", "inputs": {"routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]}}
}

test_private_route_table_allowed if {
	count(p.deny) == 0 with input as {"kind": "CloudResource", "type": "aws:ec2/routeTable:RouteTable", "inputs": {"routes": []}}
}

test_vpc_endpoint_allowed if {
	count(p.deny) == 0 with input as {"kind": "CloudResource", "type": "aws:ec2/vpcEndpoint:VpcEndpoint", "inputs": {}}
}
