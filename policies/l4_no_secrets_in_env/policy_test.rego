package privllm.policies.l4_no_secrets_in_env_test

import rego.v1

import data.privllm.policies.l4_no_secrets_in_env as p

pod(c) := {"kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": [c]}}

test_file_reference_allowed if {
	count(p.deny) == 0 with input as pod({"name": "c", "env": [{"name": "API_KEY_FILE", "value": "/var/run/secrets/key"}]})
}

test_secret_key_ref_denied if {
	count(p.deny) == 1 with input as pod({"name": "c", "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]})
}

test_env_from_secret_denied if {
	count(p.deny) == 1 with input as pod({"name": "c", "envFrom": [{"secretRef": {"name": "s"}}]})
}

test_literal_password_denied if {
	count(p.deny) == 1 with input as pod({"name": "c", "env": [{"name": "db_password", "value": "hunter2"}]})
}

test_api_key_flag_denied if {
	count(p.deny) == 1 with input as pod({"name": "c", "args": ["vllm", "serve", "/m", "--api-key=sk-live-123"]})
}

test_key_read_from_file_at_start_allowed if {
	count(p.deny) == 0 with input as pod({"name": "c", "args": ["VLLM_API_KEY=\"$(cat /var/run/secrets/privllm/api-key)\"; exec vllm serve /m"]})
}
