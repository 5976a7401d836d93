"""The `backend-review` check run on the reviewed head: created `in_progress`, then completed
with its output and annotations, 50 per request as the Checks API requires.

A check run is a courtesy next to the review itself: a token that may not create one (no
`checks: write`, a fork's read-only token) or a GitHub failure skips it with a note and never
fails the review. https://docs.github.com/en/rest/checks/runs
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.github.client import RequestFailedError, Sender, WriteRequest

NAME = "backend-review"
Say = Callable[[str], None]


class CheckRun:
    """One check run, written through a Sender (GitHub, or the dry-run printer)."""

    def __init__(self, sender: Sender, *, prefix: str, head_sha: str, say: Say) -> None:
        self.sender = sender
        self.prefix = prefix
        self.head_sha = head_sha
        self.say = say
        self.id: int | None = None
        self.url: str | None = None
        self.requests = 0

    def _skip(self, exc: RequestFailedError, doing: str) -> None:
        if exc.forbidden or exc.status == 404:
            why = "the token may not write checks (it needs `checks: write`; a fork's is read-only)"
        else:
            why = str(exc)
        self.say(f"backend-review: check run not {doing}: {why}.")

    def start(self, *, summary: str) -> bool:
        """Create the run `in_progress`; False (with a note) when GitHub refuses."""
        body = {
            "name": NAME,
            "head_sha": self.head_sha,
            "status": "in_progress",
            "output": {"title": "Reviewing", "summary": summary},
        }
        try:
            answer = self._send("POST", f"{self.prefix}/check-runs", body)
        except RequestFailedError as exc:
            self._skip(exc, "created")
            return False
        self.id = int(answer.get("id") or 0)
        url = answer.get("html_url")
        self.url = str(url) if url else None
        return True

    def complete(
        self,
        *,
        conclusion: str,
        title: str,
        summary: str,
        batches: Sequence[Sequence[dict[str, Any]]] = ([],),
    ) -> bool:
        """Send the annotations batch by batch (GitHub appends them); the last batch completes
        the run. When a batch fails, the run is still completed without the rest."""
        if self.id is None:
            return False
        path = f"{self.prefix}/check-runs/{self.id}"
        output = {"title": title, "summary": summary}
        chunks = list(batches) or [[]]
        for index, batch in enumerate(chunks):
            body: dict[str, Any] = {"output": {**output, "annotations": list(batch)}}
            if index == len(chunks) - 1:
                body |= {"status": "completed", "conclusion": conclusion}
            try:
                self._send("PATCH", path, body)
            except RequestFailedError as exc:
                self._skip(exc, "fully updated")
                return self._close(path, conclusion, output) if index < len(chunks) - 1 else False
        return True

    def _close(self, path: str, conclusion: str, output: dict[str, str]) -> bool:
        body = {"status": "completed", "conclusion": conclusion, "output": output}
        try:
            self._send("PATCH", path, body)
        except RequestFailedError as exc:
            self._skip(exc, "completed")
            return False
        return True

    def _send(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        self.requests += 1
        return self.sender.send(WriteRequest(method, path, body))
