"""The job ledger: every accepted delivery, its state, and the per-pull-request locks.

The queue (huey) carries only delivery ids; this ledger is the truth about each job. It gives
what huey's key-value store does not: de-duplication by `X-GitHub-Delivery` in one atomic
insert, leases that a crashed worker's job loses so the job runs again, and locks that expire
(huey's `lock_task` never does, so a SIGKILL would wedge a pull request until someone flushed
it). Two backends with the same methods: SQLite (embedded, the default) and Redis.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

KEEP_SECONDS = 7 * 24 * 3600  # GitHub redelivers at most 3 days back; keep ids a week
WAITING = "queued"
RUNNING = "running"
# A delivery queued this long without being claimed may have lost its task (the receiver died
# between recording it and queueing it): the keeper queues it again. A second task for a
# delivery is harmless, since only one can claim it.
STALE_AFTER = 600.0


@dataclass
class Record:
    """One accepted delivery: what to do (event, payload) and how far it got."""

    delivery: str
    event: str
    payload: bytes
    pr_key: str
    head: str | None = None
    state: str = WAITING  # queued, running, done, superseded, skipped, failed
    attempts: int = 0
    reason: str = ""


class Store(Protocol):
    def ping(self) -> None:
        """Raise when the backend cannot be reached (readiness)."""

    def accept(self, record: Record) -> bool:
        """Insert the delivery unless its id is known; False for a duplicate."""

    def forget(self, delivery: str) -> None:
        """Drop a delivery that could not be queued, so GitHub's redelivery is taken."""

    def load(self, delivery: str) -> Record | None: ...

    def claim(self, delivery: str, owner: str, lease: float) -> Record | None:
        """queued -> running under `owner` for `lease` seconds; None when not waiting."""

    def renew(self, deliveries: list[str], owner: str, lease: float) -> None:
        """Extend the leases of the owner's running jobs (the worker's heartbeat)."""

    def release(
        self, delivery: str, owner: str, state: str, reason: str = "", attempts: int | None = None
    ) -> bool:
        """running (by owner) -> `state`; False when the lease was lost to another worker."""

    def expired(self) -> list[str]:
        """Running jobs whose lease ran out (their worker died), put back to queued."""

    def stale(self) -> list[str]:
        """Deliveries queued for longer than `stale_after` without being claimed; each is
        returned at most once per `stale_after`, for the keeper to queue again."""

    def prune(self) -> None:
        """Forget old finished deliveries."""

    def lock(self, key: str, owner: str, ttl: float) -> bool:
        """Take the named lock unless another owner holds it and it has not expired."""

    def renew_lock(self, key: str, owner: str, ttl: float) -> bool: ...

    def unlock(self, key: str, owner: str) -> None: ...


class SqliteStore:
    """The ledger in the queue's SQLite file (WAL): one connection per process, serialised."""

    def __init__(self, path: str, *, stale_after: float = STALE_AFTER) -> None:
        self.stale_after = stale_after
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._mutex = threading.Lock()
        with self._mutex:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(
                """
                CREATE TABLE IF NOT EXISTS br_delivery (
                    id TEXT PRIMARY KEY, event TEXT, payload BLOB, pr_key TEXT, head TEXT,
                    state TEXT, attempts INTEGER, reason TEXT, owner TEXT, lease REAL,
                    received REAL);
                CREATE INDEX IF NOT EXISTS br_delivery_state ON br_delivery (state, lease);
                CREATE TABLE IF NOT EXISTS br_lock (key TEXT PRIMARY KEY, owner TEXT, expires REAL);
                """
            )

    def _run(self, sql: str, args: tuple[object, ...] = ()) -> sqlite3.Cursor:
        with self._mutex:
            return self._db.execute(sql, args)

    def ping(self) -> None:
        self._run("SELECT 1").fetchone()

    def accept(self, record: Record) -> bool:
        cur = self._run(
            "INSERT OR IGNORE INTO br_delivery VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', 0, ?)",
            (
                record.delivery,
                record.event,
                record.payload,
                record.pr_key,
                record.head,
                record.state,
                record.attempts,
                record.reason,
                time.time(),
            ),
        )
        return cur.rowcount == 1

    def forget(self, delivery: str) -> None:
        self._run("DELETE FROM br_delivery WHERE id = ?", (delivery,))

    def load(self, delivery: str) -> Record | None:
        row = self._run(
            "SELECT id, event, payload, pr_key, head, state, attempts, reason "
            "FROM br_delivery WHERE id = ?",
            (delivery,),
        ).fetchone()
        return Record(*row) if row else None

    def claim(self, delivery: str, owner: str, lease: float) -> Record | None:
        cur = self._run(
            "UPDATE br_delivery SET state = ?, owner = ?, lease = ? WHERE id = ? AND state = ?",
            (RUNNING, owner, time.time() + lease, delivery, WAITING),
        )
        return self.load(delivery) if cur.rowcount == 1 else None

    def renew(self, deliveries: list[str], owner: str, lease: float) -> None:
        for delivery in deliveries:
            self._run(
                "UPDATE br_delivery SET lease = ? WHERE id = ? AND owner = ? AND state = ?",
                (time.time() + lease, delivery, owner, RUNNING),
            )

    def release(
        self, delivery: str, owner: str, state: str, reason: str = "", attempts: int | None = None
    ) -> bool:
        cur = self._run(
            "UPDATE br_delivery SET state = ?, reason = ?, attempts = COALESCE(?, attempts), "
            "owner = '', lease = ? WHERE id = ? AND owner = ? AND state = ?",
            (state, reason, attempts, time.time(), delivery, owner, RUNNING),
        )
        return cur.rowcount == 1

    def expired(self) -> list[str]:
        rows = self._run(
            "UPDATE br_delivery SET state = ?, owner = '' WHERE state = ? AND lease < ? "
            "RETURNING id",
            (WAITING, RUNNING, time.time()),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def stale(self) -> list[str]:
        # A queued row's lease is when it last (re)entered the queue: 0 when first accepted.
        now = time.time()
        rows = self._run(
            "UPDATE br_delivery SET lease = ? WHERE state = ? AND MAX(received, lease) < ? "
            "RETURNING id",
            (now, WAITING, now - self.stale_after),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def prune(self) -> None:
        """Forget finished deliveries older than KEEP_SECONDS (Redis expires them itself)."""
        self._run(
            "DELETE FROM br_delivery WHERE received < ? AND state NOT IN (?, ?)",
            (time.time() - KEEP_SECONDS, WAITING, RUNNING),
        )

    def lock(self, key: str, owner: str, ttl: float) -> bool:
        now = time.time()
        cur = self._run(
            "INSERT INTO br_lock VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "owner = excluded.owner, expires = excluded.expires "
            "WHERE br_lock.expires < ? OR br_lock.owner = excluded.owner",
            (key, owner, now + ttl, now),
        )
        return cur.rowcount == 1

    def renew_lock(self, key: str, owner: str, ttl: float) -> bool:
        cur = self._run(
            "UPDATE br_lock SET expires = ? WHERE key = ? AND owner = ?",
            (time.time() + ttl, key, owner),
        )
        return cur.rowcount == 1

    def unlock(self, key: str, owner: str) -> None:
        self._run("DELETE FROM br_lock WHERE key = ? AND owner = ?", (key, owner))
