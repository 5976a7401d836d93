"""GitHub App routes of the GitHub emulator: installation tokens for a signed JWT, and which
installation covers a repository.

As GitHub does it: the App authenticates with an RS256 JWT whose `iss` is the App id, signed
by the App's private key (checked here with the public key), expiring at most 10 minutes
after it was issued; `POST /app/installations/{id}/access_tokens` trades it for an installation
token that expires (after an hour by default; tests shorten it) and then answers 401.
https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.emulators.github_http import Reply, Request, not_found
from tests.emulators.github_models import error, user
from tests.emulators.github_state import Token

if TYPE_CHECKING:
    from tests.emulators.github import GitHubEmulator

MAX_JWT_LIFETIME = 600  # seconds between iat and exp (GitHub allows 10 minutes)
CLOCK_DRIFT = 60  # GitHub tolerates an iat up to a minute in the future
PERMISSIONS = {"pull_requests": "write", "issues": "write", "contents": "read", "metadata": "read"}


@dataclass
class AppRegistry:
    """The App the emulator knows (none until `configure`), its installations and tokens."""

    app_id: int | None = None
    slug: str = "backend-review"
    public_key: Any = None
    token_ttl: float = 3600.0
    installations: dict[int, set[str]] = field(default_factory=dict)  # id -> owner/name
    expires: dict[str, float] = field(default_factory=dict)  # installation token -> epoch
    issued: list[int] = field(default_factory=list)  # installation id per token issued

    @property
    def bot(self) -> str:
        return f"{self.slug}[bot]"

    def expired(self, token: str) -> bool:
        """An installation token past its expiry (GitHub answers 401 Bad credentials)."""
        when = self.expires.get(token)
        return when is not None and time.time() >= when


def configure(
    emu: GitHubEmulator,
    app_id: int,
    public_key_pem: str,
    installations: dict[int, list[str]],
    *,
    token_ttl: float = 3600.0,
) -> None:
    """Register the App: its id, public key and which repositories each installation covers."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    with emu._lock:
        emu.app.app_id = app_id
        emu.app.public_key = load_pem_public_key(public_key_pem.encode())
        emu.app.token_ttl = token_ttl
        emu.app.installations = {
            i: {r.lower() for r in repos} for i, repos in installations.items()
        }
        emu.state.known_users.add(emu.app.bot)


def _jwt_problem(emu: GitHubEmulator, req: Request) -> Reply | None:
    """None when the Authorization header holds a valid JWT of the configured App."""
    import jwt

    app = emu.app
    scheme, _, token = req.headers.get("authorization", "").partition(" ")
    if app.app_id is None or scheme.lower() != "bearer" or token.count(".") != 2:
        return Reply(401, error("A JSON web token could not be decoded", status=401))
    try:
        claims = jwt.decode(
            token,
            app.public_key,
            algorithms=["RS256"],
            options={"require": ["iat", "exp", "iss"], "verify_iat": False},
        )
    except jwt.ExpiredSignatureError:
        return Reply(
            401, error("'Expiration time' claim ('exp') is too far in the past", status=401)
        )
    except jwt.PyJWTError:
        return Reply(401, error("A JSON web token could not be decoded", status=401))
    now = time.time()
    if str(claims["iss"]) != str(app.app_id):
        return Reply(401, error("Integration not found", status=401))
    if int(claims["iat"]) > now + CLOCK_DRIFT:
        return Reply(
            401,
            error(
                "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
                status=401,
            ),
        )
    if int(claims["exp"]) - int(claims["iat"]) > MAX_JWT_LIFETIME + CLOCK_DRIFT:
        return Reply(
            401, error("'Expiration time' claim ('exp') is too far in the future", status=401)
        )
    return None


def create_token(emu: GitHubEmulator, req: Request) -> Reply:
    problem = _jwt_problem(emu, req)
    if problem is not None:
        return problem
    app = emu.app
    number = int(req.params["installation_id"])
    if number not in app.installations:
        return not_found(
            "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"
        )
    token = "ghs_" + secrets.token_hex(18)
    expires = time.time() + app.token_ttl
    app.expires[token] = expires
    app.issued.append(number)
    emu.state.tokens[token] = Token(login=app.bot, type="Bot")
    return Reply(
        201,
        {
            "token": token,
            "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires)),
            "permissions": dict(PERMISSIONS),
            "repository_selection": "all",
        },
    )


def get_installation(emu: GitHubEmulator, req: Request) -> Reply:
    problem = _jwt_problem(emu, req)
    if problem is not None:
        return problem
    app = emu.app
    full = f"{req.params['owner']}/{req.params['repo']}".lower()
    found = next((i for i, repos in app.installations.items() if full in repos), None)
    if found is None:
        return not_found(
            "https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app"
        )
    owner = req.params["owner"]
    api = emu.url
    return Reply(
        200,
        {
            "id": found,
            "account": user(emu.urls, owner, "Organization"),
            "repository_selection": "all",
            "access_tokens_url": f"{api}/app/installations/{found}/access_tokens",
            "repositories_url": f"{api}/installation/repositories",
            "html_url": f"https://github.com/organizations/{owner}/settings/installations/{found}",
            "app_id": app.app_id,
            "app_slug": app.slug,
            "target_id": 1,
            "target_type": "Organization",
            "permissions": dict(PERMISSIONS),
            "events": ["pull_request", "issue_comment", "check_run"],
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "single_file_name": None,
            "suspended_by": None,
            "suspended_at": None,
        },
    )


_REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
APP_ROUTES = [
    ("POST", r"/app/installations/(?P<installation_id>\d+)/access_tokens", create_token),
    ("GET", _REPO + r"/installation", get_installation),
]
