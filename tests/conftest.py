"""Shared fixtures: loopback emulators and a clean environment for every test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

pytest_plugins = [
    "tests.emulators.anthropic_fixtures",
    "tests.emulators.github_fixtures",
    "tests.app_support",
]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep the developer's or CI's GITHUB_* / ANTHROPIC_* variables out of every test."""
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "ANTHROPIC_", "INPUT_", "BACKEND_REVIEW_")):
            monkeypatch.delenv(name, raising=False)
    yield
