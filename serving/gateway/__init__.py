"""llm-gateway: the OpenAI-compatible front door (identity, limits, guardrails, audit)."""
