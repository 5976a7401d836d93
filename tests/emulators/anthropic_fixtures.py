"""Pytest fixtures for the Anthropic Messages API emulator.

One loopback server is shared by the whole session (starting threads per test would be slow);
each test gets it back reset, so no script, records, cache, responder or latency leak between tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulators.anthropic import AnthropicEmulator


@pytest.fixture(scope="session")
def anthropic_server() -> Iterator[AnthropicEmulator]:
    """The session's emulator; prefer `anthropic_emulator`, which starts each test clean."""
    with AnthropicEmulator() as emulator:
        yield emulator


@pytest.fixture
def anthropic_emulator(anthropic_server: AnthropicEmulator) -> Iterator[AnthropicEmulator]:
    """The shared emulator, reset before and after the test."""
    anthropic_server.reset()
    yield anthropic_server
    anthropic_server.reset()
