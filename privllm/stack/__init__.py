"""The stack configuration: model, loading and error reporting."""

from privllm.stack.load import StackError, load_stack, resolve_stack_path
from privllm.stack.model import StackConfig

__all__ = ["StackConfig", "StackError", "load_stack", "resolve_stack_path"]
