"""The Signal record, its constructor, and the one signal every code language shares.

Split out of bot.classify.signals so that the per-language tables
(bot.classify.scripting_signals, bot.classify.compiled_signals) and the format tables
(bot.classify.formats) can build signals without importing the table that assembles them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SignalKind = Literal["api", "migration", "query", "frontend", "nodb", "apitest"]


@dataclass(frozen=True, slots=True)
class Signal:
    kind: SignalKind
    keys: frozenset[bytes]  # identifier tokens, as bytes (see bot.classify.classifier.tokens)
    pattern: re.Pattern[str]
    reason: str
    undecided_only: bool = False  # only when no strong path rule decided the file


def signal(
    kind: SignalKind, keys: str, pattern: str, reason: str, *, undecided_only: bool = False
) -> Signal:
    words = frozenset(k.encode() for k in keys.split())
    return Signal(kind, words, re.compile(pattern, re.M), reason, undecided_only)


# SQL inside string literals (or at the start of a line of a multi-line string). Lowercase SQL
# needs more structure than uppercase, so that "select one from the list" stays prose.
SQL_IN_CODE = signal(
    "query",
    "SELECT INSERT UPDATE DELETE WITH CREATE ALTER select insert update delete",
    r"""(?:["'`]|^)\s*(?:SELECT\b[^;"'`]{0,300}?\bFROM\b|INSERT\s+INTO\b"""
    r"""|UPDATE\s+[\w."`\[\]]+\s+SET\b|DELETE\s+FROM\b|WITH\s+\w+\s+AS\s*\("""
    r"""|select\s+(?:\*|count\(|distinct\b|[\w.]+\s*,)[^;"'`]{0,200}?\bfrom\s+\w"""
    r"""|insert\s+into\s+[\w."]+\s*[(\s]|update\s+[\w."]+\s+set\s+\w+\s*="""
    r"""|delete\s+from\s+[\w."]+"""
    r"""|(?:CREATE|ALTER)\s+(?:TABLE|INDEX|UNIQUE\s+INDEX|MATERIALIZED\s+VIEW)\b)""",
    "SQL statements in code",
)
