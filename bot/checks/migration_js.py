"""stub"""
from __future__ import annotations
from bot.checks.migration_text import Analysis, MigrationText
def analyse_typeorm(mt: MigrationText, pg_major: int) -> Analysis:
    return Analysis()
def analyse_sequelize(mt: MigrationText, pg_major: int) -> Analysis:
    return Analysis()
def analyse_knex(mt: MigrationText, pg_major: int) -> Analysis:
    return Analysis()
