"""Checks: queries (being written)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import ChecksConfig
from bot.models import ContentSource, FileDiff, FileReport, Finding


def check(
    files: Sequence[FileDiff],
    reports: Sequence[FileReport],
    config: ChecksConfig,
    *,
    source: ContentSource | None = None,
) -> list[Finding]:
    """Static findings of this family for the reviewed files."""
    return []
