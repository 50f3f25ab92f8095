"""privllm: run large language models inside your own perimeter."""

__version__ = "0.1.0"
