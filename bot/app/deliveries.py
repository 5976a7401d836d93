"""Which deliveries start work: a webhook's event name and payload -> a review job, or why not.
Pure: the receiver calls it before queueing, the job again to rebuild what was asked.

The same rules as the Action (bot.github.event.parse_event) for `pull_request` and
`issue_comment`; plus `check_run` `rerequested` for this App's own `backend-review` check run.
https://docs.github.com/en/webhooks/webhook-events-and-payloads
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.errors import EventError
from bot.github.checks import NAME as CHECK_NAME
from bot.github.event import Ask, Skip, parse_event


@dataclass(frozen=True)
class Work:
    """A review to queue: of pull request `number` in `repository`, as `ask` says."""

    event: str
    repository: str  # owner/name
    installation: int | None
    ask: Ask
    ask_head: str | None = None  # check_run: the re-requested head

    @property
    def number(self) -> int:
        return self.ask.number

    @property
    def head(self) -> str | None:
        """The head the delivery is about (None: a command, which reviews the current head)."""
        return self.ask.pull.head_sha if self.ask.pull else self.ask_head

    @property
    def pr_key(self) -> str:
        """One review at a time per pull request: the lock's name."""
        return f"{self.repository.lower()}#{self.number}"

    @property
    def pushed(self) -> bool:
        """Started by a push (debounced, may be superseded), not by a person."""
        return self.event == "pull_request"


@dataclass(frozen=True)
class Ignore:
    """Not work: answered 200 with the reason."""

    reason: str


def route(event: str, payload: Mapping[str, Any], *, app_id: int | None) -> Work | Ignore:
    """Decide what a delivery asks for; a malformed payload of a known event is an EventError."""
    if event == "ping":
        return Ignore("ping")
    if event in ("pull_request", "issue_comment"):
        asked = parse_event(event, payload)
        if isinstance(asked, Skip):
            return Ignore(asked.reason)
        return _work(event, payload, asked)
    if event == "check_run":
        return _check_run(payload, app_id)
    return Ignore(f"event {event!r} does not start a review")


def _work(event: str, payload: Mapping[str, Any], ask: Ask, head: str | None = None) -> Work:
    repo = payload.get("repository")
    name = repo.get("full_name") if isinstance(repo, Mapping) else None
    if not isinstance(name, str) or name.count("/") != 1:
        raise EventError("event payload: repository.full_name is missing")
    install = payload.get("installation")
    number = install.get("id") if isinstance(install, Mapping) else None
    installation = number if isinstance(number, int) and not isinstance(number, bool) else None
    return Work(event, name, installation, ask, head)


def _check_run(payload: Mapping[str, Any], app_id: int | None) -> Work | Ignore:
    run = payload.get("check_run")
    if not isinstance(run, Mapping):
        raise EventError("event payload: 'check_run' is missing or not an object")
    if payload.get("action") != "rerequested":
        return Ignore(f"check_run action {payload.get('action')!r} does not start a review")
    app = run.get("app")
    owner = app.get("id") if isinstance(app, Mapping) else None
    if run.get("name") != CHECK_NAME or (app_id is not None and owner != app_id):
        return Ignore("the check run is not this App's backend-review check")
    pulls = [p for p in run.get("pull_requests") or [] if isinstance(p, Mapping)]
    if not pulls or not isinstance(pulls[0].get("number"), int):
        # GitHub lists no pull requests on check runs of fork heads.
        return Ignore("the check run is not attached to a pull request of this repository")
    head = run.get("head_sha")
    number = pulls[0]["number"]
    # "Re-run" asks for a review again, even of a head already reviewed: a full one.
    ask = Ask(trigger="check_run", number=number, action="rerequested", full=True, pr_override=True)
    return _work("check_run", payload, ask, head if isinstance(head, str) and head else None)
