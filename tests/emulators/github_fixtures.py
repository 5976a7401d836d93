"""pytest fixtures for the GitHub emulator: one loopback server per session, state reset per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.emulators.github import GitHubEmulator

if TYPE_CHECKING:
    from githubkit import GitHub


@pytest.fixture(scope="session")
def github_server() -> Iterator[GitHubEmulator]:
    """Started once: binding a port and a thread per test would only cost time."""
    with GitHubEmulator() as emulator:
        yield emulator


@pytest.fixture
def github_emulator(github_server: GitHubEmulator) -> Iterator[GitHubEmulator]:
    """The session server with fresh state, so tests cannot see each other's data."""
    github_server.reset()
    yield github_server
    github_server.reset()


@pytest.fixture
def github_client(github_emulator: GitHubEmulator) -> Iterator[GitHub[Any]]:
    """A real githubkit client on the emulator: no retries (no 1-9 s sleeps), no HTTP cache, a timeout.

    Entered as a context manager so requests share one connection: outside `with`, githubkit builds a new
    httpx client (and TLS context) per request, about 30 ms each. `trust_env=False` keeps proxy variables
    from diverting loopback traffic.
    """
    from githubkit import GitHub

    client = GitHub(
        "test-token",
        base_url=github_emulator.url,
        auto_retry=False,
        http_cache=False,
        timeout=10,
        trust_env=False,
    )
    with client:
        yield client
