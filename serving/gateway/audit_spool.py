"""The audit spool: the one queue between the gateway and the collector, on disk.

The gateway appends each record as one JSON line to the newest segment file (group commit: one
write, and in durable mode one fdatasync, for every record that arrived meanwhile). The export
process reads from its acknowledged position, ships a batch, and only after the collector
acknowledged it moves the position (written atomically) and deletes segments it has passed.
A crash at any point loses nothing that was committed; a batch shipped but not yet marked is
shipped again after a restart, with the same privllm.record_id, for the SIEM to de-duplicate.

Layout: seg-<12-digit sequence>.jsonl, ack.json {"segment": n, "offset": bytes}, and two lock
files (one writer process, one export process per directory). A writer never appends to a
segment of an earlier process: the tail of that one may be torn by a kill mid-write, and such a
tail was never committed, so the reader skips it.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("privllm.gateway.audit")

SEGMENT_BYTES = 64 * 1024 * 1024
READ_WINDOW = 1024 * 1024
NORMAL_FLUSH_SECONDS = 0.05  # normal mode: write at least this often (no fsync)
NORMAL_FLUSH_RECORDS = 256
_SEGMENT_PREFIX, _SEGMENT_SUFFIX = "seg-", ".jsonl"

Waiter = Callable[[OSError | None], None]


class SpoolFull(OSError):
    pass


def segments(directory: Path) -> list[tuple[int, Path]]:
    out = []
    for entry in os.scandir(directory):
        name = entry.name
        if name.startswith(_SEGMENT_PREFIX) and name.endswith(_SEGMENT_SUFFIX):
            digits = name[len(_SEGMENT_PREFIX):-len(_SEGMENT_SUFFIX)]
            if digits.isdigit():
                out.append((int(digits), Path(entry.path)))
    return sorted(out)


def _segment_path(directory: Path, seq: int) -> Path:
    return directory / f"{_SEGMENT_PREFIX}{seq:012d}{_SEGMENT_SUFFIX}"


def _lock(directory: Path, name: str, blocking: bool) -> int:
    fd = os.open(directory / name, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        raise
    return fd


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SpoolWriter:
    """Appends records from any thread; one writer thread commits them in groups."""

    def __init__(self, directory: Path, durable: bool, max_bytes: int, segment_bytes: int = SEGMENT_BYTES):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            self._lock_fd = _lock(self.directory, ".writer.lock", blocking=False)
        except BlockingIOError:
            raise OSError(f"audit spool {self.directory} is in use by another gateway process; give each replica its own volume") from None
        self.durable = durable
        self._max_bytes = max_bytes
        self._segment_bytes = segment_bytes
        existing = segments(self.directory)
        self._seq = (existing[-1][0] + 1) if existing else 1
        self.first_segment = self._seq
        self._stored = sum(p.stat().st_size for _, p in existing)
        self._fd = self._open_segment()
        self._size = 0
        self._pending: list[tuple[bytes, Waiter | None]] = []
        self._cond = threading.Condition()
        self._closed = False
        self.written = 0
        self.dropped = 0
        self.on_commit: Callable[[], None] | None = None  # wakes the exporter
        self._thread = threading.Thread(target=self._run, name="privllm-audit-spool", daemon=True)
        self._thread.start()

    def _open_segment(self) -> int:
        fd = os.open(_segment_path(self.directory, self._seq), os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL, 0o600)
        _fsync_dir(self.directory)  # the new file's name survives a crash too
        return fd

    def append(self, line: bytes, waiter: Waiter | None = None) -> None:
        """Queue one record (a JSON line without its newline). `waiter` is called from the writer
        thread once the record is committed (fsynced in durable mode) or could not be."""
        with self._cond:
            if self._closed:
                if waiter:
                    waiter(OSError("the audit spool is closed"))
                return
            self._pending.append((line + b"\n", waiter))
            if self.durable or len(self._pending) >= NORMAL_FLUSH_RECORDS:
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._pending and not self._closed:
                    self._cond.wait(None if self.durable else NORMAL_FLUSH_SECONDS)
                batch, self._pending = self._pending, []
                closing = self._closed
            if batch:
                self._commit(batch)
            if closing and not batch:
                return

    def _commit(self, batch: list[tuple[bytes, Waiter | None]]) -> None:
        error: OSError | None = None
        if self._stored + self._size >= self._max_bytes:
            self._stored = self._spool_bytes()  # the exporter may have freed segments since
        room = self._max_bytes - self._stored - self._size
        accepted, refused = [], []
        for item in batch:
            if len(item[0]) <= room:
                accepted.append(item)
                room -= len(item[0])
            else:
                refused.append(item)
        data = b"".join(line for line, _ in accepted)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]
            if self.durable:
                os.fdatasync(self._fd)
        except OSError as exc:
            log.error("audit spool write failed: %s", exc)
            error = exc
            self._start_new_segment()  # a partial line stays the torn tail of the old segment, never glued to the next
        else:
            self._size += len(data)
            self.written += len(accepted)
        if refused:
            self.dropped += len(refused)
            log.error("audit spool %s is full (%d bytes); %d records refused", self.directory, self._max_bytes, len(refused))
        for _, waiter in accepted:
            if waiter:
                waiter(error)
        full = SpoolFull(f"the audit spool is full ({self._max_bytes} bytes)")
        for _, waiter in refused:
            if waiter:
                waiter(full)
        if self.on_commit:
            self.on_commit()
        if self._size >= self._segment_bytes and error is None:
            self._rotate()

    def _start_new_segment(self) -> None:
        try:
            self._rotate()
        except OSError as exc:
            log.error("audit spool: cannot start a new segment: %s", exc)

    def _rotate(self) -> None:
        try:
            os.fsync(self._fd)
        finally:
            os.close(self._fd)
            self._stored += self._size
            self._seq += 1
            self._size = 0
        self._fd = self._open_segment()

    def _spool_bytes(self) -> int:
        return sum(p.stat().st_size for seq, p in segments(self.directory) if seq != self._seq)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(30)
        try:
            os.fsync(self._fd)
        finally:
            os.close(self._fd)
            os.close(self._lock_fd)


class SpoolReader:
    """The export side: batches from the acknowledged position, and acknowledgement."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._ack_path = self.directory / "ack.json"
        try:
            ack = json.loads(self._ack_path.read_text())
            self.position = (int(ack["segment"]), int(ack["offset"]))
        except FileNotFoundError:
            self.position = (0, 0)

    def read(self, max_records: int) -> tuple[list[bytes], tuple[int, int]]:
        """Up to max_records complete lines after the acknowledged position, and the position after them."""
        seq, offset = self.position
        lines: list[bytes] = []
        all_segments = segments(self.directory)
        for index, (n, path) in enumerate(all_segments):
            if n < seq:
                continue
            start = offset if n == seq else 0
            newest = index == len(all_segments) - 1
            with open(path, "rb") as f:
                f.seek(start)
                data = f.read(READ_WINDOW)
            end = data.rfind(b"\n") + 1
            chunk = data[:end].split(b"\n")[:-1]
            taken = chunk[:max_records - len(lines)]
            lines += taken
            consumed = start + sum(len(line) + 1 for line in taken)
            if len(lines) >= max_records or len(taken) < len(chunk) or len(data) == READ_WINDOW:
                return lines, (n, consumed)
            if newest:
                return lines, (n, consumed)
            # An older segment read to its last complete line: what follows is a torn tail (never committed).
            seq, offset = n + 1, 0
        return lines, (seq, offset)

    def ack(self, position: tuple[int, int]) -> None:
        tmp = self._ack_path.with_suffix(".tmp")
        with open(tmp, "w") as f:
            json.dump({"segment": position[0], "offset": position[1]}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._ack_path)
        _fsync_dir(self.directory)
        self.position = position
        for n, path in segments(self.directory):
            if n < position[0]:
                path.unlink(missing_ok=True)

    def pending(self, before_segment: int) -> int:
        """Records not yet acknowledged in segments older than `before_segment` (those of earlier
        processes; one scan, used once at start)."""
        count, (seq, offset) = 0, self.position
        for n, path in segments(self.directory):
            if n < seq or n >= before_segment:
                continue
            with open(path, "rb") as f:
                f.seek(offset if n == seq else 0)
                count += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
        return count
