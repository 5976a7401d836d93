"""One exception hierarchy; each error maps to a documented exit code.

Exit codes (documented in README.md):
  0  review done; no finding at or above the `fail-on` severity
  1  review done; findings at or above `fail-on` (only when fail-on is set)
  2  bad input: diff, event payload, configuration, option, git ref
  3  the model review failed or was incomplete; deterministic results were still produced
  4  GitHub API failure that stopped publishing (after everything possible was saved)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_MODEL_FAILED = 3
EXIT_GITHUB_FAILED = 4


class BackendReviewError(Exception):
    """Base of every error the bot reports as one line and an exit code."""

    exit_code = EXIT_BAD_INPUT

    def __str__(self) -> str:
        # One line, always: error messages end up in terminals and job logs.
        return " ".join(super().__str__().split())


class BadInputError(BackendReviewError):
    """Input the user gave us is unusable."""


class DiffError(BadInputError):
    """The diff text cannot be parsed."""


class ConfigError(BadInputError):
    """The configuration file or settings are invalid."""


class EventError(BadInputError):
    """The GitHub event payload is missing or malformed."""


class GitError(BadInputError):
    """A local git command failed (unknown ref, not a repository)."""


class ModelError(BackendReviewError):
    """The model could not be reached or answered unusably."""

    exit_code = EXIT_MODEL_FAILED


class GitHubError(BackendReviewError):
    """The GitHub API refused or failed a request we could not work around."""

    exit_code = EXIT_GITHUB_FAILED

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
