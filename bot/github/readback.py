"""Reading back what a write that may have been applied left on the pull request.

A 502 or a timeout after a POST does not say whether GitHub stored it. Sending it again can
post every comment twice; not sending it can lose them. So the publisher asks what is there
(our fingerprints, our summary comment) and sends only what is missing.
"""

from __future__ import annotations

from typing import Protocol

from bot.github.client import GitHubRepo
from bot.github.read import EarlierSummary, find_summary, posted_fingerprints


class ReadBack(Protocol):
    def fingerprints(self) -> set[str]:
        """Fingerprints of our review comments now on the pull request."""
        ...

    def summary(self) -> EarlierSummary | None:
        """Our summary comment, when there is one."""
        ...


class PullReadBack:
    """ReadBack over the GitHub API for one pull request."""

    def __init__(self, repo: GitHubRepo, number: int) -> None:
        self.repo = repo
        self.number = number

    def fingerprints(self) -> set[str]:
        return posted_fingerprints(self.repo.review_comments(self.number))

    def summary(self) -> EarlierSummary | None:
        return find_summary(self.repo.issue_comments(self.number))
