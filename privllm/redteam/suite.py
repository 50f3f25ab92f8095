"""Red-team probes: the project's own suites (suites/*.jsonl) and organisations' extra JSONL sets.

One probe per line. Strings may hold placeholders the runner fills with fresh values each run, so a
model cannot have memorised them and a hit in the output is unambiguous:
``{MARKER}`` (the token an obeyed injection prints), ``{CANARY}`` (a value only another tenant may read),
``{RAG_GROUP}`` / ``{OTHER_GROUP}`` (the caller's document group / a group it is not in) and
``{PLANT_*}`` (realistic sensitive values: card, AWS key, e-mail, phone, IBAN, GitHub token, JWT).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SUITE_DIR = Path(__file__).parent / "suites"
# Bump when a built-in suite changes: reports name the version they ran.
SUITE_VERSION = "2026.11.1"

FAMILIES: dict[str, str] = {
    "prompt_injection": "direct prompt injection and jailbreaks",
    "indirect_injection": "instructions planted in retrieved documents",
    "system_prompt_extraction": "attempts to make the model reveal its instructions",
    "data_exfiltration": "planted sensitive values echoed back, plain and streamed, in every output field",
    "cross_tenant_rag": "documents another team's access list protects",
    "model_extraction": "sustained high-volume querying must trip the token and request limits",
    "review_bypass": "high-risk answers released without review (streaming, retries, other routes)",
    "auth": "no key, a bad key, a revoked key, another team's model",
}
_FAMILY = re.compile(r"^[a-z][a-z0-9_]{1,48}$")


class SuiteError(ValueError):
    """A probe file is malformed; the message names the file, the line and the field."""


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, Field(min_length=1, max_length=200)]
    text: Annotated[str, Field(max_length=100_000)]
    acl: list[str] | None = None


class Probe(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,80}$")]
    family: Annotated[str, Field(pattern=_FAMILY.pattern)]
    kind: Literal["attack", "benign"]
    route: Literal["chat", "completions"] = "chat"
    messages: list[dict[str, Any]] | None = None
    prompt: str | None = None
    documents: list[Document] | None = None
    stream: bool = False
    tools: bool = False  # offer a save_note tool so planted values can leave through tool calls
    logprobs: bool = False  # ask for logprobs so the token channel is exercised too
    model: str | None = None  # default: the run's model


def _parse(path: Path, text: str) -> list[Probe]:
    probes = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SuiteError(f"{where}: not a JSON object ({exc.msg})") from None
        if not isinstance(raw, dict):
            raise SuiteError(f"{where}: each line must be a JSON object with id, family and kind")
        try:
            probe = Probe.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(line)"
            raise SuiteError(f"{where}: {field}: {first['msg']}") from None
        if (probe.route == "chat") != (probe.messages is not None) or (probe.route == "completions") != (probe.prompt is not None):
            raise SuiteError(f"{where}: a chat probe needs 'messages', a completions probe needs 'prompt'")
        probes.append(probe)
    return probes


def load_file(path: Path) -> list[Probe]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"{path}: cannot read the probe file ({exc})") from None
    return _parse(path, text)


def load(extra: list[Path] | None = None) -> list[Probe]:
    """The built-in suites, then each extra JSONL file; ids must be unique."""
    probes = [p for f in sorted(SUITE_DIR.glob("*.jsonl")) for p in load_file(f)]
    for path in extra or []:
        probes += load_file(path)
    seen: set[str] = set()
    for p in probes:
        if p.id in seen:
            raise SuiteError(f"probe id {p.id!r} is used twice; ids must be unique across suites")
        seen.add(p.id)
    return probes
