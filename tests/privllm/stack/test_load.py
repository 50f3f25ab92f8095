"""Stack files a user (or an attacker) can write: every one gets clear messages and exit 2 from
the CLI, never a traceback; values are echoed literally and shortened."""

from __future__ import annotations

import copy

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from privllm.cli import app
from privllm.stack.load import MAX_DEPTH, SHOWN_CHARS, resolve_stack_path

REFERENCE = resolve_stack_path("reference")


def validate(path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["config", "validate", "--stack", str(path)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {type(result.exception).__name__}: {result.exception}") from result.exception
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def assert_clean_refusal(path) -> str:
    code, out = validate(path)
    assert code == 2, out
    assert "Traceback" not in out and out.strip()
    return out


def write(tmp_path, data: bytes | str, name: str = "Pulumi.x.yaml"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def reference_doc() -> dict:
    return yaml.safe_load(REFERENCE.read_text())


def dump(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False)


def test_a_directory_is_one_clear_message(tmp_path):
    out = assert_clean_refusal(tmp_path)
    assert "is a directory" in out


def test_a_device_and_an_oversized_file(tmp_path):
    assert "not a regular file" in assert_clean_refusal("/dev/zero")
    assert "larger than 1024 KiB" in assert_clean_refusal(write(tmp_path, "config: {}\n" + "#" * (2 * 1024 * 1024)))


def test_a_binary_file(tmp_path):
    assert "binary file" in assert_clean_refusal(write(tmp_path, b"config:\x00\x01\x02"))


def test_invalid_utf8(tmp_path):
    out = assert_clean_refusal(write(tmp_path, REFERENCE.read_bytes().replace(b"privllm-ref", b"privllm-\xff\xfe")))
    assert "not UTF-8" in out and "0xff" in out


def test_yaml_nested_five_thousand_deep(tmp_path):
    out = assert_clean_refusal(write(tmp_path, "config:\n  privllm:models: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert f"deeper than {MAX_DEPTH}" in out


def test_a_five_thousand_digit_integer(tmp_path):
    doc = reference_doc()
    doc["config"]["privllm:gateway"]["replicas"] = 0  # replaced below with the literal digits
    text = dump(doc).replace("replicas: 0", "replicas: " + "9" * 5000)
    out = assert_clean_refusal(write(tmp_path, text))
    assert "5000 digits" in out and "9" * 100 not in out


def test_boolean_where_an_integer_is_expected(tmp_path):
    doc = reference_doc()
    doc["config"]["privllm:gateway"]["rate_limits"]["requests_per_minute"] = True
    out = assert_clean_refusal(write(tmp_path, dump(doc)))
    assert "privllm:gateway.rate_limits.requests_per_minute" in out and "integer" in out


def test_duplicate_keys_name_the_key_and_both_lines(tmp_path):
    lines = REFERENCE.read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  privllm:gateway:"))
    out = assert_clean_refusal(write(tmp_path, "\n".join([*lines, "  privllm:gateway: {}"]) + "\n"))
    assert "privllm:gateway" in out
    assert f"duplicate key at line {len(lines) + 1}; first defined at line {first + 1}" in out, out


def test_markup_looking_values_are_printed_literally_and_shortened(tmp_path):
    doc = reference_doc()
    hostile = "[/red]x[bold]" + "A" * 100_000
    doc["config"]["privllm:target"]["cluster_name"] = hostile
    out = assert_clean_refusal(write(tmp_path, dump(doc)))
    assert "[/red]x[bold]" in out
    assert "A" * (SHOWN_CHARS + 1) not in out and len(out) < 2000


def test_an_unknown_key_of_a_hundred_thousand_characters(tmp_path):
    doc = reference_doc()
    doc["config"]["privllm:gateway"]["[/red]" + "k" * 100_000] = 1
    out = assert_clean_refusal(write(tmp_path, dump(doc)))
    assert "unknown key" in out and len(out) < 2000


# ---------------------------------------------------------------- property-based: mutated stack files
# Integer settings of the reference stack: each mutation below makes the file invalid by construction.
INT_LEAVES = [
    ("privllm:gateway", "replicas"),
    ("privllm:gateway", "rate_limits", "requests_per_minute"),
    ("privllm:gateway", "rate_limits", "max_tokens_cap"),
    ("privllm:gpu_pools", 0, "gpus_per_node"),
    ("privllm:gpu_pools", 0, "max_nodes"),
    ("privllm:models", 0, "max_model_len"),
]
HOSTILE = st.one_of(
    st.booleans(),
    st.text(min_size=1, max_size=300).map(lambda s: "[/red]" + s),
    st.integers(min_value=10**40, max_value=10**60),
    st.integers(min_value=-(10**6), max_value=0),
    st.floats(allow_nan=True, allow_infinity=True),
    st.recursive(st.just([]), lambda inner: st.lists(inner, max_size=2), max_leaves=20),
    st.dictionaries(st.text(max_size=20), st.text(max_size=20), max_size=3),
)


def _set(doc: dict, path: tuple, value) -> dict:
    doc = copy.deepcopy(doc)
    node = doc["config"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


@st.composite
def mutated_stack(draw) -> bytes:
    doc = reference_doc()
    kind = draw(st.sampled_from(["leaf", "bytes", "duplicate", "deep", "huge-int"]))
    if kind == "leaf":
        return dump(_set(doc, draw(st.sampled_from(INT_LEAVES)), draw(HOSTILE))).encode()
    text = dump(doc)
    if kind == "bytes":
        data = bytearray(text.encode())
        at = draw(st.integers(0, len(data)))
        bad = draw(st.sampled_from([b"\x00", b"\xff", b"\xc3\x28", b"\xed\xa0\x80"]))
        return bytes(data[:at] + bad + data[at:])
    lines = text.splitlines()
    if kind == "duplicate":
        key = draw(st.sampled_from([line for line in lines if line.startswith("  privllm:")])).split(": ", 1)[0].rstrip(":")
        return (text + f"{key}: {{}}\n").encode()
    if kind == "deep":
        depth = draw(st.integers(MAX_DEPTH + 1, 6000))
        return (text + "  privllm:extra: " + "[" * depth + "]" * depth + "\n").encode()
    digits = draw(st.integers(31, 6000))
    return text.replace("replicas: 3", "replicas: " + "7" * digits).encode()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=mutated_stack())
def test_mutated_stack_files_exit_2_without_a_traceback(tmp_path, data):
    assert_clean_refusal(write(tmp_path, data))
