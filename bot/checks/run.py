"""Run every checker over the reviewed files and apply the rule switches and severities."""

from __future__ import annotations

from collections.abc import Sequence

from bot.checks.contracts import check as contracts
from bot.checks.migrations import check as migrations
from bot.checks.queries import check as queries
from bot.config import ChecksConfig
from bot.models import ContentSource, FileDiff, FileReport, Finding

CHECKERS = (migrations.check, queries.check, contracts.check)


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
    found: list[Finding] = []
    for checker in CHECKERS:
        found.extend(checker(files, reports, config, source=source))
    return apply_rule_config(found, config)


def apply_rule_config(findings: Sequence[Finding], config: ChecksConfig) -> list[Finding]:
    """Drop disabled rules and apply severity overrides."""
    disabled = set(config.disable)
    out: list[Finding] = []
    for f in findings:
        if f.rule in disabled:
            continue
        override = config.severity.get(f.rule or "")
        out.append(f.model_copy(update={"severity": override}) if override else f)
    return out
