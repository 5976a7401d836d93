"""Send a review plan to GitHub: batches of inline comments, file comments, the sticky summary.

One bad anchor must never cost the other comments: when GitHub rejects a review with 422
(and does not say which comment), the batch is bisected until the bad comments are found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.github.client import RequestFailedError, Sender
from bot.github.plan import (
    Plan,
    ReviewEvent,
    file_comment_request,
    review_request,
    summary_request,
)
from bot.github.readback import ReadBack
from bot.models import InlineComment


@dataclass
class Published:
    """What reached GitHub and what it refused."""

    posted: list[InlineComment] = field(default_factory=list)
    rejected: list[tuple[InlineComment, str]] = field(default_factory=list)
    reviews: int = 0


class Publisher:
    """Publishes on one pull request through a Sender (GitHub, or the dry-run printer)."""

    def __init__(
        self,
        sender: Sender,
        *,
        prefix: str,
        number: int,
        head_sha: str,
        readback: ReadBack | None = None,
    ) -> None:
        self.sender = sender
        self.prefix = prefix
        self.number = number
        self.head_sha = head_sha
        self.readback = readback  # None: a write that fails is never sent again
        self.done = Published()  # kept up to date, so a failure half-way loses no record

    def post_comments(self, plan: Plan) -> Published:
        """Every batch as one review; file-level comments one by one."""
        out = self.done
        event: ReviewEvent = plan.event
        total = len(plan.batches)
        for index, batch in enumerate(plan.batches, start=1):
            before = out.reviews
            self._post_batch(batch, event, (index, total), out)
            if out.reviews > before:
                event = "COMMENT"  # one REQUEST_CHANGES is enough
        for comment in plan.file_comments:
            self._post_file_comment(comment, out, again=1)
        return out

    def _post_file_comment(self, comment: InlineComment, out: Published, *, again: int) -> None:
        request = file_comment_request(
            self.prefix, self.number, head_sha=self.head_sha, comment=comment
        )
        try:
            self.sender.send(request)
        except RequestFailedError as exc:
            if exc.unprocessable:
                out.rejected.append((comment, _reason(exc)))
                return
            if comment.fingerprint not in self._there(exc):
                if again <= 0:
                    raise
                self._post_file_comment(comment, out, again=again - 1)
                return
        out.posted.append(comment)

    def _there(self, exc: RequestFailedError) -> set[str]:
        """After a failure that may have been applied: the fingerprints now on the pull
        request (read back). Any other failure, or one that cannot be read back, raises `exc`."""
        if not (exc.maybe_applied and self.readback is not None):
            raise exc
        try:
            return self.readback.fingerprints()
        except RequestFailedError:
            raise exc from None

    def _post_batch(
        self,
        batch: Sequence[InlineComment],
        event: ReviewEvent,
        part: tuple[int, int],
        out: Published,
        again: int = 1,
    ) -> None:
        request = review_request(
            self.prefix,
            self.number,
            head_sha=self.head_sha,
            event=event,
            comments=batch,
            part=part,
        )
        try:
            self.sender.send(request)
        except RequestFailedError as exc:
            if not exc.unprocessable:
                there = self._there(exc)
                landed = [c for c in batch if c.fingerprint in there]
                missing = [c for c in batch if c.fingerprint not in there]
                if landed:
                    out.reviews += 1
                    out.posted.extend(landed)
                if missing and again <= 0:
                    raise
                if missing:
                    later: ReviewEvent = "COMMENT" if out.reviews else event
                    self._post_batch(missing, later, part, out, again - 1)
                return
            if len(batch) == 1:
                out.rejected.append((batch[0], _reason(exc)))
                return
            middle = len(batch) // 2
            self._post_batch(batch[:middle], event, part, out, again)
            rest: ReviewEvent = "COMMENT" if out.reviews else event
            self._post_batch(batch[middle:], rest, part, out, again)
            return
        out.reviews += 1
        out.posted.extend(batch)

    def post_summary(self, body: str, *, existing_id: int | None) -> str | None:
        """Edit our summary in place, or create it; returns its URL when GitHub gives one."""
        request = summary_request(self.prefix, self.number, body, existing_id=existing_id)
        try:
            answer = self.sender.send(request)
        except RequestFailedError as exc:
            if not (exc.maybe_applied and self.readback is not None):
                raise
            try:
                found = self.readback.summary()
            except RequestFailedError:
                raise exc from None
            if found is not None and (existing_id is None or found.body.strip() == body.strip()):
                return found.html_url  # the write was applied; only its answer was lost
            # Not there: send once more (an edit of the comment that exists, if one does).
            retry = summary_request(
                self.prefix, self.number, body, existing_id=found.comment_id if found else None
            )
            answer = self.sender.send(retry)
        url = answer.get("html_url")
        return str(url) if url else None


def _reason(exc: RequestFailedError) -> str:
    """GitHub's words for a refused comment, from any of its three 422 shapes."""
    body = exc.body
    words: list[str] = []
    if isinstance(body, dict):
        for item in body.get("errors") or []:
            if isinstance(item, str):
                words.append(item)
            elif isinstance(item, dict) and item.get("message"):
                words.append(str(item["message"]))
        if not words and body.get("message"):
            words.append(str(body["message"]))
    text = "; ".join(words) or "rejected by GitHub"
    return f"GitHub refused the comment: {text}"[:200]
