"""stub"""
from __future__ import annotations
from bot.checks.migration_text import Analysis, MigrationText
def analyse_rails(mt: MigrationText, pg_major: int) -> Analysis:
    return Analysis()
