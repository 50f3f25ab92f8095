"""Human review for high-risk routes: completions are held until a reviewer decides.

Pending items live in Redis (shared by replicas) or in a SQLite file, so they survive a
gateway restart; each expires after the configured time.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import redis

GUARD_ID = "PLLM-G-HUMAN-REVIEW"


@dataclass
class ReviewItem:
    id: str
    principal: str
    model: str
    created: float
    expires: float
    status: str  # pending | approved | rejected
    response: dict
    reviewer: str | None = None
    reason: str | None = None

    def effective_status(self, now: float | None = None) -> str:
        if self.status == "pending" and (now or time.time()) >= self.expires:
            return "expired"
        return self.status

    def summary(self, now: float | None = None) -> dict:
        d = asdict(self)
        d.pop("response")
        d["status"] = self.effective_status(now)
        return d


def new_id() -> str:
    return "rev_" + secrets.token_hex(12)


class SqliteReviewStore:
    """``clock`` (seconds, like time.time) decides expiry; tests pass one they advance."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS reviews (id TEXT PRIMARY KEY, item TEXT NOT NULL)")
        self._lock = threading.Lock()

    def put(self, item: ReviewItem) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO reviews VALUES (?, ?)", (item.id, json.dumps(asdict(item))))

    def get(self, review_id: str) -> ReviewItem | None:
        with self._lock:
            row = self._db.execute("SELECT item FROM reviews WHERE id = ?", (review_id,)).fetchone()
        return ReviewItem(**json.loads(row[0])) if row else None

    def all(self) -> list[ReviewItem]:
        with self._lock:
            rows = self._db.execute("SELECT item FROM reviews").fetchall()
        return [ReviewItem(**json.loads(r[0])) for r in rows]


class RedisReviewStore:
    def __init__(self, url: str, password: str | None = None, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._redis = redis.Redis.from_url(url, password=password, socket_timeout=1)

    def put(self, item: ReviewItem) -> None:
        ttl = max(60, int(item.expires - self.clock()) + 7 * 86400)  # keep decided items a week for audit
        self._redis.set(f"privllm:review:{item.id}", json.dumps(asdict(item)), ex=ttl)

    def get(self, review_id: str) -> ReviewItem | None:
        raw = self._redis.get(f"privllm:review:{review_id}")
        return ReviewItem(**json.loads(raw)) if raw else None

    def all(self) -> list[ReviewItem]:
        keys = list(self._redis.scan_iter("privllm:review:*", count=500))
        return [ReviewItem(**json.loads(v)) for v in self._redis.mget(keys) if v] if keys else []
