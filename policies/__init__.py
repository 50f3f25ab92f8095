"""Rego policies, the engine wrapper, the reviewer and its reporters."""
