"""vLLM-facing code: hardware facts, engine arguments, sizing."""
