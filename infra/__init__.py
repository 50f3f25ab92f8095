"""The privllm Pulumi program: one ComponentResource per concern, driven by StackConfig."""
