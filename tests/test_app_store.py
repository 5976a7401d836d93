"""The job ledger on SQLite and on a real redis-server (bot.app.store, bot.app.redis_store):
the same behaviour from both."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app.store import Record, SqliteStore, Store


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        yield SqliteStore(str(tmp_path / "q.db"), stale_after=0.3)
        return
    from bot.app.redis_store import RedisStore

    url = request.getfixturevalue("redis_url")
    yield RedisStore(url, stale_after=0.3)


def record(delivery: str = "d1") -> Record:
    return Record(delivery, "pull_request", b'{"x": 1}', "acme/shop#1", "a" * 40)


def test_accept_once_and_forget(store: Store) -> None:
    assert store.accept(record())
    assert not store.accept(record())  # the same X-GitHub-Delivery
    loaded = store.load("d1")
    assert loaded is not None and loaded.payload == b'{"x": 1}' and loaded.state == "queued"
    store.forget("d1")
    assert store.load("d1") is None and store.accept(record())


def test_claim_is_exclusive_and_release_needs_the_owner(store: Store) -> None:
    store.accept(record())
    assert store.claim("d1", "w1", 30) is not None
    assert store.claim("d1", "w2", 30) is None
    assert not store.release("d1", "w2", "done")
    assert store.release("d1", "w1", "queued", "retry", attempts=1)
    again = store.load("d1")
    assert again is not None and (again.state, again.attempts, again.reason) == (
        "queued",
        1,
        "retry",
    )
    assert store.claim("d1", "w2", 30) is not None
    assert store.release("d1", "w2", "done")
    assert store.claim("d1", "w3", 30) is None  # done stays done


def test_expired_leases_are_queued_again_once(store: Store) -> None:
    store.accept(record())
    store.claim("d1", "w1", 0.2)
    assert store.expired() == []
    time.sleep(0.3)
    assert store.expired() == ["d1"]
    assert store.expired() == []
    assert not store.release("d1", "w1", "done")  # the dead worker's late answer is refused
    assert store.claim("d1", "w2", 30) is not None


def test_a_delivery_queued_too_long_is_queued_again_once_per_interval(store: Store) -> None:
    """A receiver that died between recording a delivery and queueing its task leaves it
    waiting: the keeper queues it again, once per interval, until a worker claims it."""
    store.accept(record())
    assert store.stale() == []
    time.sleep(0.35)
    assert store.stale() == ["d1"]
    assert store.stale() == []  # not again before the next interval
    time.sleep(0.35)
    assert store.stale() == ["d1"]
    assert store.claim("d1", "w1", 30) is not None
    time.sleep(0.35)
    assert store.stale() == []  # running is not waiting
    assert store.release("d1", "w1", "queued", "retry", attempts=1)
    assert store.stale() == []  # back in the queue just now: not stale yet
    time.sleep(0.35)
    assert store.stale() == ["d1"]
    store.claim("d1", "w2", 30)
    store.release("d1", "w2", "done")
    time.sleep(0.35)
    assert store.stale() == []


def test_renew_keeps_the_lease(store: Store) -> None:
    store.accept(record())
    store.claim("d1", "w1", 0.3)
    time.sleep(0.2)
    store.renew(["d1"], "w1", 30)
    time.sleep(0.2)
    assert store.expired() == []


def test_locks_expire(store: Store) -> None:
    assert store.lock("pr", "w1", 0.2)
    assert not store.lock("pr", "w2", 30)
    assert store.renew_lock("pr", "w1", 0.2) and not store.renew_lock("pr", "w2", 1)
    store.unlock("pr", "w2")  # not the owner: nothing happens
    assert not store.lock("pr", "w2", 30)
    time.sleep(0.3)
    assert store.lock("pr", "w2", 30)  # the holder crashed: its lock ran out
    store.unlock("pr", "w2")
    assert store.lock("pr", "w3", 30)
