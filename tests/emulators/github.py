"""Loopback emulator of the GitHub REST API, for tests that drive the real githubkit client over HTTP.

It serves the endpoints backend-review uses with complete JSON objects (githubkit's models validate them),
enforces GitHub's rules for inline comments (422 for a line outside the diff), and lets a test inject
failures: 5xx, secondary rate limits, read-only tokens. See /work/shared/notes/github-api.md.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.emulators.github_app import AppRegistry
from tests.emulators.github_http import DIFF, JSON, RecordedRequest, Reply, Request, not_found
from tests.emulators.github_models import Urls, error
from tests.emulators.github_routes import match
from tests.emulators.github_state import (
    PERMISSIONS,
    Compare,
    Failure,
    Pull,
    Repo,
    State,
    Token,
    normalise_files,
    timestamp,
)

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
RATE_LIMIT = 5_000
API_VERSION = "2026-03-10"
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. "
    "Please retry your request again later."
)
PRIMARY_LIMIT_MESSAGE = "API rate limit exceeded for installation ID 1."
_DEFAULT_FAILURE_MESSAGES = {
    403: "Forbidden",
    429: PRIMARY_LIMIT_MESSAGE,
    500: "Server Error",
    502: "Server Error",
    503: "Service Unavailable",
    504: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request.",
}


class _Server(ThreadingHTTPServer):
    """Quiet threaded server: no tracebacks on stderr when a client hangs up."""

    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to the emulator and writes its reply (keep-alive, exact Content-Length)."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, delayed ACKs stall each reply.
    disable_nagle_algorithm = True
    emulator: GitHubEmulator

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        reply = self.emulator._dispatch(self.command, self.path, headers, raw)
        payload = _encode(reply)
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        if payload or reply.status != 204:
            self.send_header("content-type", reply.content_type)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _encode(reply: Reply) -> bytes:
    if reply.body is None:
        return b""
    if isinstance(reply.body, bytes):
        return reply.body
    if isinstance(reply.body, str):
        return reply.body.encode()
    return json.dumps(reply.body).encode()


def _failure_message(status: int, headers: dict[str, str]) -> str:
    """A default message that agrees with the headers: githubkit reads both to classify a 403/429."""
    if status in (403, 429) and "retry-after" in headers:
        return SECONDARY_LIMIT_MESSAGE
    if status in (403, 429) and headers.get("x-ratelimit-remaining") == "0":
        return PRIMARY_LIMIT_MESSAGE
    return _DEFAULT_FAILURE_MESSAGES.get(status) or HTTPStatus(status).phrase


def _parse_body(raw: bytes) -> tuple[Any, bool]:
    """The JSON body (or the raw text when it is not JSON) and whether it parsed."""
    if not raw:
        return None, True
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text), True
    except ValueError:
        return text, False


class GitHubEmulator:
    """A GitHub REST API on 127.0.0.1: state set up by plain method calls, real HTTP for the client.

    Thread safe: one lock guards the state, the recorded requests and every request's handling.
    """

    state: State
    # "modern", "older" or "legacy" 422 bodies for misplaced comments.
    review_error_style: str
    # More comments than this in one review -> 502 (GitHub fails big reviews intermittently).
    max_review_comments: int | None
    # More content-creating writes than this -> 403 secondary rate limit with retry-after: 0.
    content_create_limit: int | None
    # list_files rows past this many patch lines (per page) lose their patch and counts.
    page_patch_line_budget: int | None

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._requests: list[RecordedRequest] = []
        self.errors: list[str] = []  # tracebacks of emulator bugs (answered with 500)
        self.reset()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> GitHubEmulator:
        """Listen on an ephemeral loopback port in a daemon thread."""
        if self._server is not None:
            return self
        handler = type("Handler", (_Handler,), {"emulator": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="github-emulator",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> GitHubEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The API base URL (githubkit's `base_url`)."""
        if self._server is None:
            raise RuntimeError("GitHubEmulator is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def urls(self) -> Urls:
        return Urls(self.url)

    def reset(self) -> None:
        """Forget all state, recorded requests, injected failures and configuration."""
        with self._lock:
            self.state = State()
            self.app = AppRegistry()  # GitHub App routes: tests.emulators.github_app
            self._requests.clear()
            self.errors.clear()
            self.review_error_style = "modern"
            self.max_review_comments = None
            self.content_create_limit = None
            self.page_patch_line_budget = 20_000
            self._rate_reset = int(time.time()) + 3600

    # ------------------------------------------------------------ state set-up

    def _ensure_repo(self, owner: str, name: str) -> Repo:
        key = (owner.lower(), name.lower())
        repo = self.state.repos.get(key)
        if repo is None:
            repo = Repo(id=self.state.next_id(), owner=owner, name=name, private=False)
            self.state.repos[key] = repo
            self.state.known_users.add(owner)
        return repo

    def add_repo(
        self, owner: str, name: str, *, private: bool = False, default_branch: str = "main"
    ) -> None:
        with self._lock:
            repo = self._ensure_repo(owner, name)
            repo.private = private
            repo.default_branch = default_branch

    def add_user(self, login: str) -> None:
        """Make a login exist (a non-collaborator then reads as `read` on public repositories)."""
        with self._lock:
            self.state.known_users.add(login)

    def add_pull(
        self,
        owner: str,
        name: str,
        number: int,
        *,
        title: str,
        body: str | None,
        files: list[dict[str, Any]],
        head_sha: str,
        base_sha: str,
        draft: bool = False,
        state: str = "open",
        user_login: str = "alice",
        head_repo_fork: bool = False,
        head_ref: str = "feature",
        base_ref: str | None = None,
    ) -> None:
        """Create a PR; calling it again for the same number is a push (comments may become outdated).

        `files` entries: filename, status, patch (None = binary/too large), previous_filename?,
        additions?, deletions? (counted from the patch when absent).
        """
        with self._lock:
            repo = self._ensure_repo(owner, name)
            self.state.known_users.add(user_login)
            now = timestamp()
            pull = repo.pulls.get(number)
            if pull is None:
                pull = Pull(
                    id=self.state.next_id(),
                    number=number,
                    title=title,
                    body=body,
                    files=[],
                    head_sha=head_sha,
                    base_sha=base_sha,
                    draft=draft,
                    state=state,
                    user_login=user_login,
                    head_repo_fork=head_repo_fork,
                    head_ref=head_ref,
                    base_ref=base_ref or repo.default_branch,
                    created_at=now,
                    updated_at=now,
                )
                repo.pulls[number] = pull
            pull.title, pull.body, pull.draft, pull.state = title, body, draft, state
            pull.head_sha, pull.base_sha, pull.updated_at = head_sha, base_sha, now
            pull.user_login, pull.head_repo_fork, pull.head_ref = (
                user_login,
                head_repo_fork,
                head_ref,
            )
            pull.base_ref = base_ref or pull.base_ref
            if head_sha not in pull.shas:
                pull.shas.append(head_sha)
            pull.files = normalise_files(files)
            pull.index_files()

    def set_permission(self, owner: str, name: str, login: str, permission: str) -> None:
        """Set a collaborator's role: admin, maintain, write, triage, read or none."""
        if permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}; expected one of {PERMISSIONS}")
        with self._lock:
            self._ensure_repo(owner, name).permissions[login] = permission
            self.state.known_users.add(login)

    def add_file_content(self, owner: str, name: str, path: str, ref: str, text: str) -> None:
        with self._lock:
            self._ensure_repo(owner, name).contents[(path.strip("/"), ref)] = text

    def set_compare(
        self,
        owner: str,
        name: str,
        base: str,
        head: str,
        files: list[dict[str, Any]],
        status: str = "ahead",
        *,
        ahead_by: int | None = None,
        behind_by: int | None = None,
    ) -> None:
        """Answer `GET .../compare/{base}...{head}`; counts default from `status`."""
        if ahead_by is None:
            ahead_by = 1 if status in ("ahead", "diverged") else 0
        if behind_by is None:
            behind_by = 1 if status in ("behind", "diverged") else 0
        with self._lock:
            repo = self._ensure_repo(owner, name)
            repo.compares[(base, head)] = Compare(
                base, head, normalise_files(files), status, ahead_by, behind_by
            )

    def set_token(
        self,
        token: str,
        *,
        read_only: bool = False,
        login: str = "github-actions[bot]",
        type: str = "Bot",
        checks: bool = True,
    ) -> None:
        """Register a token. Once any is registered, unknown tokens get 401; before, any token acts as the bot."""
        with self._lock:
            self.state.tokens[token] = Token(
                login=login, type=type, read_only=read_only, checks=checks
            )
            self.state.known_users.add(login)

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        *,
        applied: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Answer the next `times` requests matching method (`*` = any) and path regex with `status`.

        Pass `headers={"retry-after": "0"}` with 403/429 for a secondary rate limit (githubkit raises
        SecondaryRateLimitExceeded), `{"x-ratelimit-remaining": "0"}` for a primary one
        (PrimaryRateLimitExceeded); without either a 403 is a plain permission error. The default body
        agrees with the headers; a `str` body is sent as text/html (GitHub's 502 pages).
        `applied=True` serves the request (a write is stored) and then answers `status`: the answer
        is lost. `delay` holds the answer that many seconds (a timeout when the client waits less);
        with `applied` the request is served first and its real answer comes late.
        """
        lowered = {key.lower(): value for key, value in (headers or {}).items()}
        if body is None:
            body = error(_failure_message(status, lowered), status=status)
        with self._lock:
            self.state.failures.append(
                Failure(method.upper(), path_regex, status, body, lowered, times, applied, delay)
            )

    # ------------------------------------------------------------ accessors

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def _pull(self, owner: str, name: str, number: int) -> Pull:
        repo = self.state.repos.get((owner.lower(), name.lower()))
        if repo is None or number not in repo.pulls:
            raise KeyError(f"no pull request {owner}/{name}#{number}")
        return repo.pulls[number]

    def reviews(self, owner: str, name: str, number: int) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._pull(owner, name, number).reviews)

    def review_comments(self, owner: str, name: str, number: int) -> list[dict[str, Any]]:
        """All stored review comments, pending ones included."""
        with self._lock:
            return copy.deepcopy(self._pull(owner, name, number).review_comments)

    def issue_comments(self, owner: str, name: str, number: int) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._pull(owner, name, number).issue_comments)

    def reactions(
        self, owner: str, name: str, comment_id: int | None = None
    ) -> list[dict[str, Any]]:
        """Reactions on one issue comment, or on all of the repository's issue comments."""
        with self._lock:
            repo = self.state.repos.get((owner.lower(), name.lower()))
            if repo is None:
                return []
            if comment_id is not None:
                return copy.deepcopy(repo.reactions.get(comment_id, []))
            return copy.deepcopy([item for items in repo.reactions.values() for item in items])

    def count(self, method: str | None = None, path_regex: str | None = None) -> int:
        """How many recorded requests match the method and (searched) path regex."""
        with self._lock:
            return sum(
                1
                for r in self._requests
                if (method is None or r.method == method.upper())
                and (path_regex is None or re.search(path_regex, r.path))
            )

    def write_count(self) -> int:
        """How many write requests (POST, PATCH, PUT, DELETE) arrived, whatever their outcome."""
        with self._lock:
            return sum(1 for r in self._requests if r.method in WRITE_METHODS)

    # ------------------------------------------------------------ request handling

    def _dispatch(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Reply:
        split = urlsplit(target)
        path = split.path
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        body, parsed = _parse_body(raw)
        with self._lock:
            self.state.used += 1
            self._requests.append(RecordedRequest(method, path, query, headers, body))
            failure = self._take_failure(method, path)
            reply = failure[0] if failure and not failure[1].applied else None
            if reply is None:
                if parsed:
                    reply = self._serve(Request(method, path, query, headers, body))
                else:
                    reply = Reply(400, error("Problems parsing JSON", status=400))
                if failure and failure[1].applied and not failure[1].delay:
                    reply = failure[0]  # stored, but the answer is lost
            reply.headers = {**self._standard_headers(reply), **reply.headers}
        if failure and failure[1].delay:
            time.sleep(failure[1].delay)  # outside the lock: other requests go on
        return reply

    def _take_failure(self, method: str, path: str) -> tuple[Reply, Failure] | None:
        for failure in self.state.failures:
            if failure.method in ("*", method) and re.search(failure.path_regex, path):
                failure.times -= 1
                if failure.times <= 0:
                    self.state.failures.remove(failure)
                content_type = (
                    JSON if not isinstance(failure.body, str) else "text/html; charset=utf-8"
                )
                reply = Reply(
                    failure.status, copy.deepcopy(failure.body), dict(failure.headers), content_type
                )
                return reply, failure
        return None

    def _identify(self, headers: dict[str, str]) -> tuple[Token | None, Reply | None]:
        """Who is calling: the registered token's identity, the default bot, or anonymous."""
        auth = headers.get("authorization", "")
        scheme, _, secret = auth.partition(" ")
        if not auth or scheme.lower() not in ("token", "bearer"):
            return None, None
        if not self.state.tokens:
            return Token(), None
        token = self.state.tokens.get(secret.strip())
        if token is None and secret.count(".") == 2:
            return Token(login=self.app.bot), None  # an App's JWT: the App routes check it
        if token is None or self.app.expired(secret.strip()):
            return None, Reply(401, error("Bad credentials", status=401))
        return token, None

    def _serve(self, req: Request) -> Reply:
        token, problem = self._identify(req.headers)
        if problem is not None:
            return problem
        if req.method in WRITE_METHODS:
            if token is None:
                return Reply(401, error("Requires authentication", status=401))
            if token.read_only:
                return Reply(403, error("Resource not accessible by integration", status=403))
        found = match(req.method, req.path)
        if found is None:
            return not_found()
        route, params = found
        limit = self.content_create_limit
        if route.creates and limit is not None and self.state.created >= limit:
            return Reply(403, error(SECONDARY_LIMIT_MESSAGE, status=403), {"retry-after": "0"})
        req.params = {key: unquote(value) for key, value in params.items()}
        req.token = token
        try:
            reply = route.handler(self, req)
        except Exception:
            self.errors.append(traceback.format_exc())
            return Reply(500, error("Emulator error", status=500))
        if route.creates and 200 <= reply.status < 300:
            self.state.created += 1
        return reply

    def _standard_headers(self, reply: Reply) -> dict[str, str]:
        """Rate-limit and GitHub identification headers sent with every response."""
        media = "github.v3; param=diff" if reply.content_type == DIFF else "github.v3; format=json"
        return {
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-remaining": str(max(RATE_LIMIT - self.state.used, 0)),
            "x-ratelimit-reset": str(self._rate_reset),
            "x-ratelimit-used": str(self.state.used),
            "x-ratelimit-resource": "core",
            "x-github-api-version-selected": API_VERSION,
            "x-github-media-type": media,
            "x-github-request-id": f"EMU:{self.state.used:08X}",
        }
