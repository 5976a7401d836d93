"""What to publish on GitHub for a review, as request values. Pure: no client, no environment.

https://docs.github.com/en/rest/pulls/reviews#create-a-review-for-a-pull-request
https://docs.github.com/en/rest/pulls/comments#create-a-review-comment-for-a-pull-request
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.github.client import WriteRequest
from bot.models import Finding, InlineComment, Severity, severity_rank

BATCH = 30  # reviews with more comments fail intermittently on GitHub ("submitted too quickly")
ReviewEvent = Literal["COMMENT", "REQUEST_CHANGES"]
# Who may start a review with /backend-review (legacy `permission`, or the full `role_name`).
WRITE_ROLES = frozenset({"admin", "maintain", "write"})

HELP = """\
**backend-review** reviews the backend side of this pull request: API, migrations and queries.

| command | what it does |
| --- | --- |
| `/backend-review` | review what changed since the last review (or everything, the first time) |
| `/backend-review full` | review the whole pull request again |
| `/backend-review help` | this help |

Only people with write, maintain or admin permission on the repository can start a review.
Findings already posted are never posted twice; the summary comment is updated in place.
"""


@dataclass(frozen=True)
class Plan:
    """The inline comments to post (in batches of at most 30) and those already posted."""

    event: ReviewEvent
    batches: list[list[InlineComment]]
    file_comments: list[InlineComment]
    duplicates: list[InlineComment]


def review_event(findings: Iterable[Finding], request_changes_on: Severity | None) -> ReviewEvent:
    """REQUEST_CHANGES when configured and a finding reaches the threshold; COMMENT otherwise."""
    if request_changes_on is None:
        return "COMMENT"
    threshold = severity_rank(request_changes_on)
    worst = max((severity_rank(f.severity) for f in findings), default=-1)
    return "REQUEST_CHANGES" if worst >= threshold else "COMMENT"


def plan_comments(
    comments: Sequence[InlineComment], *, posted: set[str], event: ReviewEvent
) -> Plan:
    """Drop comments whose fingerprint is already on the PR; batch the rest by 30."""
    fresh = [c for c in comments if c.fingerprint not in posted]
    duplicates = [c for c in comments if c.fingerprint in posted]
    lines = [c for c in fresh if c.line is not None]
    files = [c for c in fresh if c.line is None]
    batches = [lines[i : i + BATCH] for i in range(0, len(lines), BATCH)]
    return Plan(event=event, batches=batches, file_comments=files, duplicates=duplicates)


def review_request(
    prefix: str,
    number: int,
    *,
    head_sha: str,
    event: ReviewEvent,
    comments: Sequence[InlineComment],
    part: tuple[int, int] = (1, 1),
) -> WriteRequest:
    """POST .../reviews: one review with its inline comments, pinned to the reviewed head."""
    count = len(comments)
    body = f"**backend-review**: {count} comment{'s' if count != 1 else ''} on `{head_sha[:7]}`"
    if part[1] > 1:
        body += f" (part {part[0]} of {part[1]})"
    body += ". The summary comment has the overview."
    return WriteRequest(
        "POST",
        f"{prefix}/pulls/{number}/reviews",
        {
            "commit_id": head_sha,
            "body": body,
            "event": event,
            "comments": [c.to_github() for c in comments],
        },
    )


def file_comment_request(
    prefix: str, number: int, *, head_sha: str, comment: InlineComment
) -> WriteRequest:
    """POST .../pulls/{n}/comments with subject_type "file": a comment on the whole file."""
    return WriteRequest(
        "POST",
        f"{prefix}/pulls/{number}/comments",
        {
            "commit_id": head_sha,
            "path": comment.path,
            "body": comment.body,
            "subject_type": "file",
        },
    )


def summary_request(
    prefix: str, number: int, body: str, *, existing_id: int | None
) -> WriteRequest:
    """Edit our summary in place when it exists, else create it."""
    if existing_id is not None:
        return WriteRequest("PATCH", f"{prefix}/issues/comments/{existing_id}", {"body": body})
    return WriteRequest("POST", f"{prefix}/issues/{number}/comments", {"body": body})


def may_trigger(permission: str, role_name: str | None) -> bool:
    """Write, maintain or admin (custom roles report their base role in `permission`)."""
    return permission in WRITE_ROLES or (role_name or "") in WRITE_ROLES


def refusal_text(login: str) -> str:
    return (
        f"@{login} `/backend-review` can only be started by people with write access to this "
        "repository. A maintainer can run it for you."
    )


def help_text(unknown: Sequence[str] = ()) -> str:
    if not unknown:
        return HELP
    words = ", ".join(f"`{w}`" for w in unknown)
    return f"Unknown option {words}.\n\n{HELP}"


def inline_as_text(comments: Sequence[InlineComment]) -> str:
    """Inline comments as markdown, for the job summary when they cannot be posted."""
    parts = []
    for c in comments:
        where = f"{c.path}:{c.line}" if c.line is not None else c.path
        parts.append(f"#### `{where}`\n\n{c.body}\n")
    return "\n".join(parts)
