"""Guards the gateway runs, in a fixed order, each recording its decision by guard id:
input: RAG access lists -> prompt injection -> sensitive data (by classification);
output: response schema -> sensitive data -> human review (high-risk routes)."""
