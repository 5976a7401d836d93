"""Which failures a job retries, how long it waits, and what the summary comment says when it
gives up. Pure.

Transient: GitHub 5xx, timeouts and rate limits (secondary limits answer 403/429 with
retry-after); the model's 429 (rate limit), 529 (overloaded), 5xx and timeouts. Anything else
(a bad configuration on the base branch, a 404, a refused key) would fail the same way again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.errors import GitHubError
from bot.markers import SummaryState, summary_marker
from bot.pr.report import HEADING

MAX_BACKOFF = 900.0  # seconds
_MODEL_TRANSIENT = re.compile(r"HTTP (?:429|5\d\d)|timed out|could not connect", re.IGNORECASE)
BANNER = "> ⚠️ **backend-review could not finish"
RETRY_LINE = "> Push again or comment `/backend-review` to try again."


def github_transient(exc: GitHubError) -> bool:
    status = exc.status
    if status is None or status >= 500 or status == 429:
        return True
    return status == 403 and getattr(exc, "retry_after", None) is not None


def model_transient(notes: Sequence[str]) -> bool:
    """Whether the model review failed for a reason that may pass (from the run's notes)."""
    return any(_MODEL_TRANSIENT.search(n) for n in notes)


def backoff(attempt: int, base: float) -> float:
    """Seconds before attempt `attempt + 1`: base, 2 x base, 4 x base, ... up to MAX_BACKOFF."""
    return min(base * 2.0 ** max(attempt - 1, 0), MAX_BACKOFF)


def failed_summary(earlier: str | None, *, head: str | None, reason: str, attempts: int) -> str:
    """The sticky summary saying the review failed and why, above what an earlier review found
    (its hidden state is kept, so the next review still knows what was reviewed)."""
    what = f"the review of `{head[:7]}`" if head else "the review"
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    banner = f"{BANNER}** {what}{tries}: {reason}\n{RETRY_LINE}"
    if earlier is None:
        empty = summary_marker(SummaryState(head_sha="", config_hash=""))
        return f"{HEADING}\n\n{banner}\n\n{empty}\n"
    lines = [line for line in earlier.splitlines() if not line.startswith((BANNER, RETRY_LINE))]
    rest = "\n".join(lines)
    if rest.startswith(HEADING):
        rest = rest[len(HEADING) :].lstrip("\n")
    return f"{HEADING}\n\n{banner}\n\n{rest}"
