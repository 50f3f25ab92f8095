"""`privllm redteam`: adversarial suites against a running gateway, scored per family, as a release gate."""
