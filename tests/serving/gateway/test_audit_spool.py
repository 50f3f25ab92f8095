"""The audit spool on its own: group commit, acknowledged removal, segments, a torn tail after a
kill, one writer per directory, the size bound."""

from __future__ import annotations

import threading

import pytest

from privllm.serving.gateway.audit_spool import SpoolFull, SpoolReader, SpoolWriter, segments


def committed(writer: SpoolWriter, lines: list[bytes]) -> list[OSError | None]:
    """Append lines and wait until each is committed; the errors per line (None: written)."""
    results: list[OSError | None] = [None] * len(lines)
    done = threading.Semaphore(0)

    def waiter_for(i):
        def waiter(error):
            results[i] = error
            done.release()
        return waiter

    for i, line in enumerate(lines):
        writer.append(line, waiter_for(i))
    for _ in lines:
        assert done.acquire(timeout=10)
    return results


def test_records_are_read_in_order_and_removed_only_once_acknowledged(tmp_path):
    writer = SpoolWriter(tmp_path, durable=True, max_bytes=10**9)
    assert committed(writer, [b'{"n":%d}' % i for i in range(10)]) == [None] * 10
    reader = SpoolReader(tmp_path)
    lines, position = reader.read(4)
    assert lines == [b'{"n":%d}' % i for i in range(4)]
    assert SpoolReader(tmp_path).read(100)[0][:1] == [b'{"n":0}']  # not acknowledged: still there for anyone
    reader.ack(position)
    assert SpoolReader(tmp_path).read(100)[0] == [b'{"n":%d}' % i for i in range(4, 10)]
    writer.close()


def test_a_restart_continues_after_the_acknowledged_position_and_skips_a_torn_tail(tmp_path):
    first = SpoolWriter(tmp_path, durable=True, max_bytes=10**9)
    committed(first, [b"a", b"b", b"c"])
    first.close()
    # A kill in the middle of a write: a partial line at the end, never committed or answered.
    with open(segments(tmp_path)[-1][1], "ab") as f:
        f.write(b'{"torn')
    reader = SpoolReader(tmp_path)
    lines, position = reader.read(1)
    reader.ack(position)
    second = SpoolWriter(tmp_path, durable=True, max_bytes=10**9)  # a new process: a new segment
    committed(second, [b"d"])
    lines, position = SpoolReader(tmp_path).read(100)
    assert lines == [b"b", b"c", b"d"]
    SpoolReader(tmp_path).ack(position)
    assert len(segments(tmp_path)) == 1  # the old segment, fully acknowledged, is gone
    second.close()


def test_segments_rotate_and_are_deleted_after_acknowledgement(tmp_path):
    writer = SpoolWriter(tmp_path, durable=False, max_bytes=10**9, segment_bytes=64)
    for i in range(10):
        committed(writer, [b"x" * 30 + b"%d" % i])
    assert len(segments(tmp_path)) > 3
    reader = SpoolReader(tmp_path)
    seen = []
    while True:
        lines, position = reader.read(3)
        if not lines:
            break
        seen += lines
        reader.ack(position)
    assert seen == [b"x" * 30 + b"%d" % i for i in range(10)]
    assert len(segments(tmp_path)) == 1  # only the one still being written
    writer.close()


def test_one_writer_per_directory(tmp_path):
    writer = SpoolWriter(tmp_path, durable=False, max_bytes=10**9)
    with pytest.raises(OSError, match="in use by another gateway process"):
        SpoolWriter(tmp_path, durable=False, max_bytes=10**9)
    writer.close()


def test_a_full_spool_refuses_and_counts(tmp_path):
    writer = SpoolWriter(tmp_path, durable=True, max_bytes=100)
    results = committed(writer, [b"y" * 40, b"y" * 40, b"y" * 40])
    assert results[:2] == [None, None] and isinstance(results[2], SpoolFull)
    assert writer.dropped == 1 and writer.written == 2
    writer.close()


def test_a_failed_write_is_reported_and_its_partial_line_never_glues_to_the_next(tmp_path, monkeypatch):
    import errno
    import os

    from privllm.serving.gateway import audit_spool

    writer = SpoolWriter(tmp_path, durable=True, max_bytes=10**9)
    committed(writer, [b'{"n":1}'])
    real_write = os.write
    calls = []

    def disk_full_once(fd, data):
        if not calls:
            calls.append(1)
            real_write(fd, bytes(data[:5]))  # part of the line reached the disk, then the disk was full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(audit_spool.os, "write", disk_full_once)
    [error] = committed(writer, [b'{"n":2}'])
    assert isinstance(error, OSError) and error.errno == errno.ENOSPC  # the request waiting on it is refused
    assert committed(writer, [b'{"n":3}']) == [None]
    assert SpoolReader(tmp_path).read(100)[0] == [b'{"n":1}', b'{"n":3}']
    writer.close()
