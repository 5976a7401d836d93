"""stub"""

from __future__ import annotations
from collections.abc import Sequence
from bot.models import FileDiff, Finding


def check_routes(files: Sequence[FileDiff]) -> list[Finding]:
    return []
