"""One small interface to a Rego v1 engine.

regorus (gordon-to-regorus) evaluates in-process. An engine error is raised as
EngineError and the reviewer turns it into a failed review: a security check that
could not run must never read as a pass (see DESIGN.md on regopy's silent empty sets).
"""

from __future__ import annotations

import json
from typing import Any

import regorus


class EngineError(RuntimeError):
    """The engine could not load or evaluate a policy."""


def _short(exc: Exception) -> str:
    # regorus appends a native backtrace; the Rego location and message come first.
    return str(exc).split("Stack backtrace:", 1)[0].strip()


class Engine:
    def __init__(self, modules: dict[str, str], data: dict | None = None):
        self._engine = regorus.Engine()
        self._engine.set_rego_v0(False)
        for path, text in modules.items():
            try:
                self._engine.add_policy(path, text)
            except Exception as exc:  # noqa: BLE001 - regorus raises plain exceptions; re-raised typed
                raise EngineError(f"{path}: {_short(exc)}") from None
        if data:
            self.add_data(data)

    def add_data(self, data: dict) -> None:
        try:
            self._engine.add_data_json(json.dumps(data))
        except Exception as exc:  # noqa: BLE001
            raise EngineError(f"data: {_short(exc)}") from None

    def set_data(self, data: dict) -> None:
        """Replace all data (add_data merges, and refuses to merge a key twice)."""
        self._engine.clear_data()
        self.add_data(data)

    def set_input(self, input_doc: Any) -> None:
        try:
            self._engine.set_input_json(json.dumps(input_doc))
        except Exception as exc:  # noqa: BLE001
            raise EngineError(f"input: {_short(exc)}") from None

    def set_input_json(self, text: str) -> None:
        try:
            self._engine.set_input_json(text)
        except Exception as exc:  # noqa: BLE001
            raise EngineError(f"input: {_short(exc)}") from None

    def query(self, query: str, input_doc: Any = None) -> Any:
        """Value of ``query`` (undefined -> None)."""
        try:
            if input_doc is not None:
                self.set_input(input_doc)
            result = json.loads(self._engine.eval_query_as_json(query))
        except Exception as exc:  # noqa: BLE001
            raise EngineError(f"{query}: {_short(exc)}") from None
        rows = result.get("result") or []
        if not rows:
            return None
        return rows[0]["expressions"][0]["value"]

    def rule(self, rule: str) -> Any:
        try:
            return json.loads(self._engine.eval_rule_as_json(rule))
        except Exception as exc:  # noqa: BLE001
            raise EngineError(f"{rule}: {_short(exc)}") from None
