"""stub"""

from __future__ import annotations
from bot.checks.openapi_changes import ContractChange


def sdl_changes(base: str, head: str) -> list[ContractChange] | None:
    return []
