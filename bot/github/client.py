"""The githubkit edge: every GitHub request the Action makes, and GitHub errors as our errors.

Reads use githubkit's REST methods and return plain JSON (dicts), so the rest of the bot
never sees SDK types. Writes are `WriteRequest` values sent verbatim, so `--dry-run` prints
exactly what would be sent. githubkit is imported inside functions: `--help` stays instant.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from bot.errors import GitHubError

if TYPE_CHECKING:
    from githubkit import GitHub
    from githubkit.exception import GitHubException
    from githubkit.typing import RetryOption

MAX_FILES = 3_000  # GitHub lists at most 3,000 files of a pull request
PAGE = 100
SMALL_PAGE = 10  # for re-reading rows GitHub cut from a page of very large patches
MAX_RATE_LIMIT_WAIT = 60.0  # seconds; longer waits fail and the review goes to the job summary


@dataclass(frozen=True)
class WriteRequest:
    """One write to GitHub, exactly as it is sent (and as --dry-run prints it)."""

    method: str
    path: str
    body: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(
            {"method": self.method, "path": self.path, "body": self.body}, ensure_ascii=False
        )


class RequestFailedError(GitHubError):
    """A GitHub request that failed, with what the caller needs to decide what to do next."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.body = body
        self.retry_after = retry_after

    @property
    def forbidden(self) -> bool:
        """403 without retry-after: the token may not write (a fork's read-only token)."""
        return self.status == 403 and self.retry_after is None

    @property
    def unprocessable(self) -> bool:
        return self.status == 422

    @property
    def maybe_applied(self) -> bool:
        """A 5xx or no answer: a write may have been applied all the same (GitHub's 502s on
        large reviews often are), so it is read back before anything is sent again."""
        return self.status is None or self.status >= 500


class Sender(Protocol):
    def send(self, request: WriteRequest) -> dict[str, Any]:
        """Send one write; return the JSON GitHub answered (raise RequestFailedError)."""
        ...


class DryRunSender:
    """Prints each write as one JSON line and sends nothing."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out or sys.stdout
        self.sent: list[WriteRequest] = []

    def send(self, request: WriteRequest) -> dict[str, Any]:
        self.sent.append(request)
        print(request.to_json(), file=self.out, flush=True)
        return {"id": 0, "html_url": None}


# A repeated POST creates a second review or comment when the first was applied and only its
# answer was lost; every other request we make (GET, PATCH of our summary) can be repeated.
NOT_REPEATABLE = frozenset({"POST"})


def retry_policy(*, server_retries: int, delay: float) -> Any:
    """githubkit retry decision: reads and idempotent writes a few times on 5xx or a timeout,
    a POST never (the publisher reads back instead); a rate limit once if the wait is bounded
    (a rate-limited request was not applied)."""
    from githubkit.exception import RateLimitExceeded, RequestFailed, RequestTimeout
    from githubkit.typing import RetryOption

    def pause(seconds: float) -> timedelta:
        # githubkit sleeps 60 s when the pause is a zero (falsy) timedelta: never pass one.
        return timedelta(seconds=max(seconds, 0.001))

    def decide(exc: GitHubException, count: int) -> RetryOption:
        if isinstance(exc, RateLimitExceeded):
            wait = exc.retry_after.total_seconds()
            return RetryOption(count < 1 and wait <= MAX_RATE_LIMIT_WAIT, pause(wait))
        if isinstance(exc, RequestFailed) and exc.response.status_code >= 500:
            again = exc.response.raw_request.method not in NOT_REPEATABLE
            return RetryOption(again and count < server_retries, pause(delay * (count + 1) ** 2))
        if isinstance(exc, RequestTimeout) and exc.request.method not in NOT_REPEATABLE:
            return RetryOption(count < server_retries, pause(delay * (count + 1) ** 2))
        return RetryOption(False)

    return decide


@contextmanager
def open_github(
    token: str, *, base_url: str, timeout: float, server_retries: int = 2, delay: float = 1.0
) -> Iterator[GitHub[Any]]:
    """One githubkit client for the whole run (kept alive; one connection pool)."""
    from githubkit import GitHub, TokenAuthStrategy

    client = GitHub(
        TokenAuthStrategy(token),
        base_url=base_url.rstrip("/") + "/",
        timeout=timeout,
        auto_retry=retry_policy(server_retries=server_retries, delay=delay),
        http_cache=False,
    )
    with client:
        yield client


_app_tokens: list[Any] = []  # the githubkit cache of App JWTs and installation tokens


def forget_app_tokens() -> None:
    """Drop cached App tokens (GitHub answered 401: revoked, or the App was reinstalled)."""
    _app_tokens.clear()


def _app_cache() -> Any:
    from githubkit.cache import MemCacheStrategy

    if not _app_tokens:
        _app_tokens.append(MemCacheStrategy())
    return _app_tokens[0]


@contextmanager
def open_app_github(
    app_id: int,
    private_key: str,
    *,
    installation_id: int | None,
    base_url: str,
    timeout: float,
    server_retries: int = 2,
    delay: float = 1.0,
) -> Iterator[GitHub[Any]]:
    """A client acting as one installation of the App (or as the App itself when
    `installation_id` is None). githubkit signs the JWT, trades it for an installation token and
    renews the token before it expires; one cache in the process shares tokens between jobs."""
    from githubkit import AppAuthStrategy, GitHub

    app = AppAuthStrategy(app_id, private_key)
    client = GitHub(
        app if installation_id is None else app.as_installation(installation_id),
        base_url=base_url.rstrip("/") + "/",
        timeout=timeout,
        auto_retry=retry_policy(server_retries=server_retries, delay=delay),
        http_cache=False,
        cache_strategy=_app_cache(),
    )
    with client:
        yield client


def installation_id(gh: GitHub[Any], repository: str) -> int:
    """The App's installation on `owner/name` (the client must act as the App itself)."""
    from githubkit.exception import GitHubException

    owner, _, name = repository.partition("/")
    try:
        response = gh.rest.apps.get_repo_installation(owner, name)
    except GitHubException as exc:
        raise translate(exc, f"finding the App's installation on {repository}") from None
    return int(response.parsed_data.id)


def translate(exc: Exception, what: str) -> GitHubError:
    """A githubkit exception as a one-line RequestFailedError (never a token, never a traceback)."""
    from githubkit.exception import RateLimitExceeded, RequestFailed, RequestTimeout

    if isinstance(exc, RequestFailed):
        status = exc.response.status_code
        try:
            body: Any = exc.response.raw_response.json()
        except ValueError:
            body = exc.response.raw_response.text
        message = body.get("message") if isinstance(body, dict) else None
        retry = exc.retry_after.total_seconds() if isinstance(exc, RateLimitExceeded) else None
        return RequestFailedError(
            f"{what}: GitHub answered {status} {message or ''}".strip(),
            status=status,
            body=body,
            retry_after=retry,
        )
    if isinstance(exc, RequestTimeout):
        return RequestFailedError(f"{what}: GitHub did not answer in time", status=None)
    return RequestFailedError(f"{what}: {type(exc).__name__}: {exc}", status=None)


class GitHubRepo:
    """The requests the Action makes on one repository."""

    def __init__(self, gh: GitHub[Any], repository: str) -> None:
        owner, _, name = repository.partition("/")
        self.gh = gh
        self.owner = owner
        self.name = name
        self.calls = 0

    @property
    def prefix(self) -> str:
        return f"/repos/{self.owner}/{self.name}"

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from githubkit.exception import GitHubException

        self.calls += 1
        try:
            return fn(*args, **kwargs)
        except GitHubException as exc:
            raise translate(exc, what) from None

    def _list(self, what: str, method: Any, limit: int | None = None, **kwargs: Any) -> list[Any]:
        from githubkit.exception import GitHubException

        rows: list[Any] = []
        paginator = self.gh.rest.paginate(
            method, map_func=_json_list, owner=self.owner, repo=self.name, per_page=PAGE, **kwargs
        )
        try:
            for row in paginator:
                rows.append(row)
                if limit is not None and len(rows) >= limit:
                    break
        except GitHubException as exc:
            raise translate(exc, what) from None
        return rows

    def pull(self, number: int) -> dict[str, Any]:
        fn = self.gh.rest.pulls.get
        response = self._call(f"reading PR #{number}", fn, self.owner, self.name, number)
        return dict(response.json())

    def files(self, number: int) -> list[dict[str, Any]]:
        """The changed files (up to GitHub's 3,000), 100 per page; rows GitHub cut from a page
        of very large patches are read again in pages of 10."""
        from bot.github.read import truncated_tails

        method = self.gh.rest.pulls.list_files
        what = f"listing files of PR #{number}"
        rows = self._list(what, method, MAX_FILES, pull_number=number)
        for start, end in truncated_tails(rows, page_size=PAGE):
            for page in range(start // SMALL_PAGE + 1, -(-end // SMALL_PAGE) + 1):
                response = self._call(
                    what, method, self.owner, self.name, number, per_page=SMALL_PAGE, page=page
                )
                for offset, row in enumerate(_json_list(response)):
                    index = (page - 1) * SMALL_PAGE + offset
                    if start <= index < end and row.get("filename") == rows[index].get("filename"):
                        rows[index] = row
        return rows

    def review_comments(self, number: int) -> list[dict[str, Any]]:
        method = self.gh.rest.pulls.list_review_comments
        return self._list(f"listing review comments of PR #{number}", method, pull_number=number)

    def issue_comments(self, number: int) -> list[dict[str, Any]]:
        method = self.gh.rest.issues.list_comments
        return self._list(f"listing comments of PR #{number}", method, issue_number=number)

    def content(self, path: str, ref: str) -> str | None:
        """A file's text at `ref`, or None when it does not exist there (or is not text)."""
        url = f"{self.prefix}/contents/{quote(path)}"
        headers = {"Accept": "application/vnd.github.raw+json"}
        try:
            response = self._call(
                f"reading {path}", self.gh.request, "GET", url, params={"ref": ref}, headers=headers
            )
        except RequestFailedError as exc:
            if exc.status == 404:
                return None
            raise
        raw: bytes = response.raw_response.content
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def compare(self, base: str, head: str) -> dict[str, Any] | None:
        """The comparison base...head, or None when GitHub does not know one of them."""
        url = f"{self.prefix}/compare/{quote(base)}...{quote(head)}"
        try:
            response = self._call("comparing commits", self.gh.request, "GET", url)
        except RequestFailedError as exc:
            if exc.status in (404, 422):
                return None
            raise
        return dict(response.json())

    def permission(self, login: str) -> tuple[str, str | None]:
        """(legacy permission, role_name); ("none", None) when the user is not a collaborator."""
        fn = self.gh.rest.repos.get_collaborator_permission_level
        try:
            response = self._call("reading permissions", fn, self.owner, self.name, login)
        except RequestFailedError as exc:
            if exc.status == 404:
                return "none", None
            raise
        data = response.json()
        return str(data.get("permission") or "none"), data.get("role_name")

    def send(self, request: WriteRequest) -> dict[str, Any]:
        response = self._call(
            f"{request.method} {request.path}",
            self.gh.request,
            request.method,
            request.path,
            json=request.body,
        )
        data = response.json() if response.raw_response.content else {}
        return dict(data) if isinstance(data, dict) else {}


def _json_list(response: Any) -> list[Any]:
    data = response.json()
    return data if isinstance(data, list) else []
