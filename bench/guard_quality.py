"""Detection quality of the in-process guards on the project's own corpora, with Wilson 95% intervals.

Run: python bench/guard_quality.py [--set dev|heldout|both] [--misses] [--batch N] [--speed]

--batch N scores one batch alone (injection_N.txt and benign_N.txt of dev/, or of heldout/ with
--set heldout): run it once on a fresh batch before tuning on it, and record that number. The
held-out set's misses are never printed. --speed times the injection
check on 2 KB prompts against the detector of commit SPEED_BASELINE (read from git, same process,
interleaved rounds) and prints the ratio.

Reports, per corpus set: prompt-injection recall per attack family (direct prompts and
instructions planted in documents), benign refusals, sensitive values leaked (plain and
streamed, the stream cut into pieces of 1-12 characters with fixed seeds), look-alikes
wrongly redacted, and what the stream redactor holds back (added time to first token at
80 characters/s). The held-out set is never used to tune the detectors; the tests read the
development set only.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import subprocess
import sys
import time
import types
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from privllm.serving.gateway.guards import injection, sensitive

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "serving" / "gateway" / "corpus"
SETS = ("dev", "heldout")
STREAM_SEEDS = (1, 2, 3)
CHARS_PER_SECOND = 80
# the injection detector before the generic features (main when det2 started), the speed baseline
SPEED_BASELINE = "02ed347"
SPEED_ROUNDS = 7


@dataclass(frozen=True)
class Record:
    label: str  # attack family, "benign", a sensitive kind, or "lookalike"
    document: bool  # planted in a retrieved document rather than typed as a prompt
    value: str  # the sensitive value that must not leak ("" elsewhere)
    text: str


def load(path: Path) -> list[Record]:
    """Records of a corpus file: "@@ <label> [document]" or "@@ <kind> | <value>" starts one."""
    records: list[Record] = []
    header: str | None = None
    lines: list[str] = []

    def close() -> None:
        if header is None:
            return
        text = "\n".join(lines).strip("\n")
        head, _, value = header.partition("|")
        words = head.split()
        if value and value.strip() not in text:
            raise ValueError(f"{path.name}: the value {value.strip()!r} is not in its text")
        records.append(Record(words[0], "document" in words[1:], value.strip(), text))

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("@@ "):
            close()
            header, lines = line[3:], []
        elif header is not None:
            lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"{path.name}: text before the first '@@' record")
    close()
    return records


def load_set(name: str, kind: str) -> list[Record]:
    """Every record of one set ("dev" or "heldout") for kind "injection", "benign" or "sensitive"."""
    files = sorted((CORPUS / name).glob(f"{kind}*.txt"))
    if not files:
        raise FileNotFoundError(f"no {kind} corpus under {CORPUS / name}")
    return [r for f in files for r in load(f)]


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def rate(hits: int, n: int) -> str:
    lo, hi = wilson(hits, n)
    return f"{hits}/{n} = {hits / n if n else 0:.0%} [{lo:.0%}, {hi:.0%}]"


def streamed(text: str, seed: int) -> str:
    rnd = random.Random(seed)
    redactor = sensitive.StreamRedactor()
    out, i = [], 0
    while i < len(text):
        step = rnd.randint(1, 12)
        out.append(redactor.feed(text[i : i + step]))
        i += step
    out.append(redactor.flush())
    return "".join(out)


def flagged(record: Record) -> bool:
    return injection.inspect(record.text, source="document" if record.document else "prompt").detected


def injection_report(name: str, misses: bool, batch: str = "") -> dict[str, tuple[int, int]]:
    if batch:
        # a batch may hold only one side (benign_31 has no attacks)
        attacks, benign = (load(path) if path.exists() else [] for path in (CORPUS / name / f"{kind}_{batch}.txt" for kind in ("injection", "benign")))
        name = f"{name} batch {batch}"
    else:
        attacks, benign = load_set(name, "injection"), load_set(name, "benign")
    by_family: dict[str, list[bool]] = defaultdict(list)
    missed = []
    for r in attacks:
        hit = flagged(r)
        by_family[("document:" if r.document else "") + r.label].append(hit)
        by_family["ALL direct" if not r.document else "ALL documents"].append(hit)
        if not hit:
            missed.append(r)
    refused = [r for r in benign if flagged(r)]
    print(f"\n[{name}] prompt injection (in-process detector)")
    for family in sorted(by_family):
        hits = by_family[family]
        print(f"  recall {family:24s} {rate(sum(hits), len(hits))}")
    direct_benign = [r for r in benign if not r.document]
    doc_benign = [r for r in benign if r.document]
    print(f"  benign prompts refused      {rate(sum(not r.document for r in refused), len(direct_benign))}")
    print(f"  benign documents flagged    {rate(sum(r.document for r in refused), len(doc_benign))}")
    if misses:
        for r in missed:
            print(f"    MISS {r.label}: {r.text[:110]!r}")
        for r in refused:
            print(f"    FALSE {r.text[:110]!r} -> {injection.inspect(r.text).detail}")
    result = {k: (sum(v), len(v)) for k, v in by_family.items()}
    result["benign refused"] = (len(refused), len(benign))
    return result


def sensitive_report(name: str, misses: bool) -> dict[str, tuple[int, int]]:
    records = load_set(name, "sensitive")
    values = [r for r in records if r.label != "lookalike"]
    lookalikes = [r for r in records if r.label == "lookalike"]
    plain_leaks = [r for r in values if r.value in sensitive.redact(r.text)[0]]
    stream_leaks = [r for r in values if any(r.value in streamed(r.text, seed) for seed in STREAM_SEEDS)]
    wrong = [r for r in lookalikes if sensitive.redact(r.text)[0] != r.text]
    print(f"\n[{name}] sensitive data")
    print(f"  values leaked, plain        {rate(len(plain_leaks), len(values))}")
    print(f"  values leaked, streamed     {rate(len(stream_leaks), len(values))}  (any of {len(STREAM_SEEDS)} random cuttings)")
    print(f"  look-alikes redacted        {rate(len(wrong), len(lookalikes))}")
    if misses:
        for r in {id(r): r for r in plain_leaks + stream_leaks}.values():
            print(f"    LEAK {r.label}: {r.value!r} in {r.text[:80]!r}")
        for r in wrong:
            print(f"    WRONG {sensitive.redact(r.text)[0][:100]!r}")
    return {"leaked plain": (len(plain_leaks), len(values)), "leaked streamed": (len(stream_leaks), len(values)),
            "look-alikes redacted": (len(wrong), len(lookalikes))}


# Typical first words of an answer, streamed in pieces of 4 characters (one token is about 4).
ANSWER_OPENINGS = (
    "Sure, here is a summary of the report.", "The main difference is the transport layer.", "Yes. You can do that with a loop.",
    "Here are three options you could consider:", "I recommend starting with the basics.", "To configure nginx, edit the file.",
    "Certainly! Below is the function.", "No, that is not required.", "In short: it depends on the workload.",
    "Thanks for the question. The answer is 42.", "1. Open the settings page.", "Unfortunately the document does not say.",
)


def hold_report() -> None:
    """Added time to first token: how long the first received character waits before release."""
    waits = []
    for text in ANSWER_OPENINGS:
        redactor = sensitive.StreamRedactor()
        pieces = [text[i : i + 4] for i in range(0, len(text), 4)]
        received = 0
        for piece in pieces:
            received += len(piece)
            if redactor.feed(piece):
                # the first character arrived with the first piece; it leaves once this piece is in
                waits.append((received - len(pieces[0])) / CHARS_PER_SECOND * 1000)
                break
        else:
            waits.append((len(text) - len(pieces[0])) / CHARS_PER_SECOND * 1000)
    print("\n[stream] added time to first token at 80 characters/s, pieces of 4 characters")
    print(f"  p50 {statistics.median(waits):.0f} ms, max {max(waits):.0f} ms over {len(waits)} answer openings")


def baseline_detector() -> types.ModuleType | None:
    """The injection module as it was at SPEED_BASELINE, read from git; None (with the reason
    printed) where git or that commit is not there."""
    path = "serving/gateway/guards/injection.py"
    try:
        source = subprocess.run(["git", "show", f"{SPEED_BASELINE}:{path}"], cwd=CORPUS.parents[3], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"  speed baseline skipped: cannot read {path} at {SPEED_BASELINE} from git ({exc})")
        return None
    module = types.ModuleType("injection_baseline")
    sys.modules[module.__name__] = module  # dataclasses look their module up while the class is built
    exec(compile(source, f"{SPEED_BASELINE}:{path}", "exec"), module.__dict__)
    return module


def _per_call_us(check, text: str, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        check(text)
    return (time.perf_counter() - start) / calls * 1e6


def speed_report() -> None:
    """The injection check's own time on 2 KB prompts, this detector against SPEED_BASELINE's."""
    from bench.guards_latency import PROMPT  # the gateway benchmark's 2 KB prompt

    print(f"\n[speed] prompt-injection check, this detector vs {SPEED_BASELINE} (medians of {SPEED_ROUNDS} interleaved rounds)")
    baseline = baseline_detector()
    if baseline is None:
        return
    lookalikes = [r.text for r in load_set("dev", "benign") if not r.document]
    cases = {
        "gateway benchmark prompt (2 KB)": [PROMPT[:2048]],
        f"dev benign prompts, mean of {len(lookalikes)}": lookalikes,
        # 40-odd unrelated look-alikes in one text: both detectors flag it, so nothing stops early
        "2 KB of look-alikes joined": ["\n".join(lookalikes)[:2048]],
    }
    for label, texts in cases.items():
        calls = max(1, 50 // len(texts))
        new, old = [], []
        for _ in range(SPEED_ROUNDS):
            old.append(statistics.fmean(_per_call_us(baseline.inspect, t, calls) for t in texts))
            new.append(statistics.fmean(_per_call_us(injection.inspect, t, calls) for t in texts))
        ratio = statistics.median(new) / statistics.median(old)
        print(f"  {label:34s} {statistics.median(new):7.0f} us vs {statistics.median(old):7.0f} us = {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=(*SETS, "both"), default="both")
    parser.add_argument("--misses", action="store_true", help="print what was missed (for the dev set while tuning)")
    parser.add_argument("--batch", default="", help="score one batch (injection_N.txt, benign_N.txt) of the development set, or of --set heldout, alone")
    parser.add_argument("--speed", action="store_true", help="time the injection check against the baseline detector")
    args = parser.parse_args()
    if args.speed:
        speed_report()
        return
    if args.misses and args.set != "dev":
        parser.error("--misses needs --set dev: the held-out set is never tuned on, so its misses are not shown")
    if args.batch:
        injection_report("dev" if args.set == "both" else args.set, args.misses, args.batch)
        return
    for name in SETS if args.set == "both" else (args.set,):
        injection_report(name, args.misses)
        sensitive_report(name, args.misses)
    hold_report()


if __name__ == "__main__":
    main()
