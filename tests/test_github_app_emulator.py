"""The emulator's GitHub App routes through githubkit's real App strategies
(bot.github.client.open_app_github): JWT checks, installation lookup, expiring tokens."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from bot.github.client import RequestFailedError, installation_id, open_app_github
from tests.action_support import NAME, NUMBER, OWNER, add_pr
from tests.app_support import APP_ID, INSTALLATION, AppKey, install_app, make_key
from tests.emulators.github import GitHubEmulator


def _open(emu: GitHubEmulator, key: str, install: int | None = INSTALLATION):  # type: ignore[no-untyped-def]
    return open_app_github(
        APP_ID, key, installation_id=install, base_url=emu.url, timeout=10, server_retries=0
    )


def _post_token(emu: GitHubEmulator, token: str) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{emu.url}/app/installations/{INSTALLATION}/access_tokens",
        method="POST",
        headers={"authorization": f"Bearer {token}"},
        data=b"{}",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _jwt(key: str, **claims: object) -> str:
    now = datetime.now(UTC)
    body = {
        "iss": str(APP_ID),
        "iat": now - timedelta(seconds=60),
        "exp": now + timedelta(minutes=9),
    }
    body.update(claims)
    return jwt.encode(body, key, algorithm="RS256")


def test_installation_token_for_a_valid_jwt(
    github_emulator: GitHubEmulator, app_key: AppKey
) -> None:
    add_pr(github_emulator)
    install_app(github_emulator, app_key, [f"{OWNER}/{NAME}"])
    with _open(github_emulator, app_key.private) as gh:
        pull = gh.rest.pulls.get(OWNER, NAME, NUMBER).json()
    assert pull["number"] == NUMBER
    assert github_emulator.app.issued == [INSTALLATION]
    [post] = [r for r in github_emulator.requests if r.method == "POST"]
    assert post.path == f"/app/installations/{INSTALLATION}/access_tokens"
    assert post.headers["authorization"].startswith("Bearer ey")
    read = [r for r in github_emulator.requests if r.method == "GET"][-1]
    assert read.headers["authorization"].startswith("token ghs_")


@pytest.mark.parametrize(
    ("claims", "other_key"),
    [
        ({"iss": "999"}, False),  # another App's id
        ({}, True),  # signed by a key that is not the App's
        ({"exp": datetime.now(UTC) - timedelta(seconds=5)}, False),  # expired
        ({"exp": datetime.now(UTC) + timedelta(minutes=30)}, False),  # longer than 10 minutes
    ],
)
def test_bad_jwts_are_refused(
    github_emulator: GitHubEmulator, app_key: AppKey, claims: dict[str, object], other_key: bool
) -> None:
    install_app(github_emulator, app_key, [f"{OWNER}/{NAME}"])
    signer = make_key().private if other_key else app_key.private
    assert _post_token(github_emulator, _jwt(signer, **claims)) == 401
    assert _post_token(github_emulator, _jwt(app_key.private)) == 201
    assert _post_token(github_emulator, "ghs_not_a_jwt") == 401


def test_repository_installation(github_emulator: GitHubEmulator, app_key: AppKey) -> None:
    install_app(github_emulator, app_key, [f"{OWNER}/{NAME}"])
    with _open(github_emulator, app_key.private, install=None) as app:
        assert installation_id(app, f"{OWNER}/{NAME}") == INSTALLATION
        with pytest.raises(RequestFailedError) as caught:
            installation_id(app, f"{OWNER}/elsewhere")
    assert caught.value.status == 404


def test_expired_tokens_are_renewed(github_emulator: GitHubEmulator, app_key: AppKey) -> None:
    """githubkit renews a minute before `expires_at`: with 61 s tokens (whole seconds), within a second."""
    add_pr(github_emulator)
    install_app(github_emulator, app_key, [f"{OWNER}/{NAME}"], token_ttl=61)
    with _open(github_emulator, app_key.private) as gh:
        gh.rest.pulls.get(OWNER, NAME, NUMBER)
        first = next(iter(github_emulator.app.expires))
        github_emulator.app.expires[first] = time.time()  # GitHub now refuses the first token
        time.sleep(1.1)
        gh.rest.pulls.get(OWNER, NAME, NUMBER)
    assert github_emulator.app.issued == [INSTALLATION, INSTALLATION]
    statuses = [r.headers.get("authorization", "")[:10] for r in github_emulator.requests]
    assert len(statuses) == 4
