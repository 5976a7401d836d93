"""The job queue: huey, on SQLite (embedded, the default) or on Redis (workers on many
machines), with the same task code; and the ledger (bot.app.store) on the same backend.

Tasks carry only a delivery id; the ledger holds the payload and the job's state.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.app.store import SqliteStore, Store
from bot.errors import ConfigError

if TYPE_CHECKING:
    from huey import Huey

NAME = "backend-review"
TASK = "backend_review.review"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def sqlite_path(url: str) -> str | None:
    """`sqlite:///path/queue.db` -> the path (None when the URL is not SQLite)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///") :]
    return str(Path("/" + path if url.startswith("sqlite:////") else path).expanduser())


def _wal_storage() -> type:
    from huey.storage import SqliteStorage

    class WalStorage(SqliteStorage):  # type: ignore[misc]
        """WAL with synchronous=NORMAL, as the ledger: a commit survives a crash of the
        process (not of the machine) without an fsync per delivery."""

        def _create_connection(self) -> Any:
            conn = super()._create_connection()
            conn.execute("pragma synchronous=NORMAL")
            return conn

    return WalStorage


class Queue:
    """huey and the ledger for one queue URL; `runner` is the task body (set by workers)."""

    def __init__(self, url: str) -> None:
        from huey import RedisHuey, SqliteHuey

        path = sqlite_path(url)
        self.store: Store
        if path is not None:
            try:
                self.store = SqliteStore(path)  # creates the directory and the WAL file first
                self.huey: Huey = SqliteHuey(
                    NAME, filename=path, results=False, timeout=30, storage_class=_wal_storage()
                )
            except (OSError, sqlite3.Error) as exc:
                raise ConfigError(f"BACKEND_REVIEW_QUEUE: cannot open {path}: {exc}") from None
            self.kind = "sqlite"
        elif url.startswith(REDIS_SCHEMES):
            from bot.app.redis_store import RedisStore

            self.store = RedisStore(url)
            self.huey = RedisHuey(NAME, url=url, results=False, blocking=True, read_timeout=1)
            self.kind = "redis"
        else:
            raise ConfigError(
                f"BACKEND_REVIEW_QUEUE: {url!r} is neither sqlite:///PATH nor redis://HOST:PORT/DB"
            )
        self.runner: Callable[[str], None] | None = None
        self._task: Any = self.huey.task(name=TASK)(self._run)

    def _run(self, delivery: str) -> None:
        if self.runner is None:
            raise RuntimeError("no job runner in this process")
        self.runner(delivery)

    def put(self, delivery: str, delay: float = 0.0) -> None:
        """Queue the delivery's job now, or after `delay` seconds (debounce, retry, lock wait)."""
        if delay > 0:
            self._task.schedule(args=(delivery,), delay=delay)
        else:
            self._task(delivery)

    def depth(self) -> int:
        """Jobs waiting: queued now plus scheduled for later."""
        return int(self.huey.pending_count()) + int(self.huey.scheduled_count())
