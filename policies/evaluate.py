"""Evaluating many objects: one query per object for all its policies, spread over worker
processes when the input is large (the Rego engine runs one evaluation at a time per process).

Each worker compiles the policy set once. An engine error names the policy that raised it;
the reviewer turns it into a failed review.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from policies.engine import Engine, EngineError

# Below this many objects a pool costs more (start-up, one compile per worker) than it saves.
PARALLEL_FROM = 3000
CHUNK = 500
# Read files in workers from this many bytes of input on.
PARALLEL_READ_FROM = 4 * 1024 * 1024

T = TypeVar("T")
Job = tuple[str, tuple[str, ...], str]  # object as JSON, packages of its policies, label for errors
Outcome = tuple[dict[str, list], list[str]]  # deny sets by package, engine errors

_worker_engine: Engine | None = None  # one per worker process, set by _start_worker


def evaluate_one(engine: Engine, job: Job) -> Outcome:
    text, packages, label = job
    engine.set_input_json(text)
    try:
        batch = "{" + ", ".join(f'"{i}": data.{p}.deny' for i, p in enumerate(packages)) + "}"
        values = engine.query(batch) or {}
        return {p: values.get(str(i)) or [] for i, p in enumerate(packages)}, []
    except EngineError:
        # Again one policy at a time, so that the error names the policy that raised it.
        found: dict[str, list] = {}
        errors = []
        for p in packages:
            try:
                found[p] = engine.query(f"data.{p}.deny") or []
            except EngineError as exc:
                errors.append(f"{p} on {label}: {exc}")
        return found, errors


def _start_worker(modules: dict[str, str], data: dict) -> None:
    global _worker_engine
    _worker_engine = Engine(modules, data)


def _run_chunk(jobs: list[Job]) -> list[Outcome]:
    assert _worker_engine is not None, "worker started without its engine"
    return [evaluate_one(_worker_engine, job) for job in jobs]


def workers_for(count: int) -> int:
    if count < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 8, count // CHUNK))


def map_files(read: Callable[[tuple], T], jobs: list[tuple], total_bytes: int) -> Iterator[T]:
    """``read`` over ``jobs`` (one file each), in order; in worker processes when the input is big.
    A user-caused error in any file (ReviewInputError) is raised here as it would be in one process."""
    workers = max(1, min(os.cpu_count() or 1, 8, len(jobs)))
    if total_bytes < PARALLEL_READ_FROM or workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (read(job) for job in jobs)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(read, jobs)


def evaluate(modules: dict[str, str], data: dict, jobs: Sequence[Job]) -> list[Outcome]:
    """Outcomes in the order of ``jobs``. Raises EngineError when the policy set does not load."""
    engine = Engine(modules, data)  # compiled here first: a broken policy set fails before any fork
    workers = workers_for(len(jobs))
    if workers == 1:
        return [evaluate_one(engine, job) for job in jobs]
    chunks = [list(jobs[i : i + CHUNK]) for i in range(0, len(jobs), CHUNK)]
    with multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker, initargs=(modules, data)) as pool:
        return [outcome for chunk in pool.imap(_run_chunk, chunks) for outcome in chunk]
