"""JSON parsing with a nesting limit, checked without recursion.

Python's json module recurses once per nesting level: a 10,000-deep array raises RecursionError
deep inside the parser. The depth is measured first by one flat scan of the text.
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 64  # far beyond any OpenAI request (content parts, tool schemas), far below recursion limits

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class TooDeep(ValueError):
    def __init__(self, limit: int):
        super().__init__(f"JSON nesting deeper than {limit} levels")
        self.limit = limit


def depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    if text.count("[") + text.count("{") <= limit:
        return False  # cannot nest deeper than it has brackets
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
        # strings are skipped whole, brackets inside them do not count
    return False


def loads(text: str, limit: int = MAX_DEPTH):
    """json.loads, refusing (TooDeep) any document nested deeper than `limit`."""
    if depth_exceeds(text, limit):
        raise TooDeep(limit)
    return json.loads(text)
