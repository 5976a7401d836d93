"""Salvage a model finding that is still malformed after the repair round, instead of dropping it.

Pure. What the model said is worth more than its formatting: an unknown category is mapped to
the closest of the six areas, an unknown severity becomes `medium`, a line that is not a usable
number on a file of the PR makes a file-level comment, and a path written `./x`, `b/x` or with
the old name of a renamed file is resolved. Only a finding with neither title nor body is
dropped (the caller notes it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.models import CATEGORIES, SEVERITIES, Category, FileDiff, Finding, Severity

MAX_LINE = 10_000_000  # a line number past this is not a line of any real file
MAX_TITLE = 200
UNKNOWN_PATH = "(no file named)"
_DATABASE_WORDS = re.compile(
    r"\b(sql|quer(y|ies)|index(es)?|database|db|orm|n\s*\+\s*1|join|table|select|transaction|"
    r"lock|migration|schema|row|column)\b",
    re.IGNORECASE,
)
# The mapping; `performance` is decided by what the finding talks about.
_CATEGORY_MAP: dict[str, Category] = {
    "correctness": "code-quality",
    "style": "code-quality",
    "migration": "database",
    "migrations": "database",
    "query": "database",
    "queries": "database",
    "api": "api-design",
}


def _key(value: str) -> str:
    return value.strip().lower().replace("_", "-").replace(" ", "-")


def map_category(value: object, text: str = "") -> Category:
    """The closest of the six categories; anything unknown is `code-quality`."""
    key = _key(value) if isinstance(value, str) else ""
    if key in CATEGORIES:
        return key
    if key == "performance":
        return "database" if _DATABASE_WORDS.search(text) else "reliability"
    return _CATEGORY_MAP.get(key, "code-quality")


def map_severity(value: object) -> Severity:
    """A known severity in any case, else `medium`."""
    key = value.strip().lower() if isinstance(value, str) else ""
    return key if key in SEVERITIES else "medium"


def resolve_path(path: str, files: Mapping[str, FileDiff]) -> str:
    """The PR file `path` means: itself, `./x`, `/x`, `a/x`, `b/x`, or a renamed file's old name."""
    if path in files:
        return path
    bare = path.strip().lstrip("/")
    while bare.startswith("./"):
        bare = bare[2:].lstrip("/")
    candidates = [bare]
    if bare.startswith(("a/", "b/")):
        candidates.append(bare[2:])
    for candidate in candidates:
        if candidate in files:
            return candidate
    renamed = {f.old_path: p for p, f in files.items() if f.old_path and f.old_path != p}
    return next((renamed[c] for c in candidates if c in renamed), path)


def usable_line(value: object) -> int | None:
    """A line number from an int or a numeric string, or None when it is not one (0, -3, 1e15)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= MAX_LINE:
        return value
    return None


_FENCE = re.compile(r"\A\s*```[\w-]*[ \t]*\n(?P<body>.*?)\n?```\s*\Z", re.DOTALL)


def unfence(value: object) -> object:
    """A suggestion wrapped in a code fence is unwrapped; an empty one means none."""
    if not isinstance(value, str):
        return value
    match = _FENCE.match(value)
    text = match.group("body") if match else value
    return text if text.strip() else None


def _text(value: object) -> str:
    """A text field; anything but a string (a number, a list) counts as missing."""
    return value.strip() if isinstance(value, str) else ""


def _title(title: str, body: str) -> str:
    text = " ".join((title or body.splitlines()[0]).split())
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"


def salvage(raw: object, files: Mapping[str, FileDiff]) -> Finding | None:
    """The finding as best it can be read, or None when it has neither title nor body."""
    item: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    title, body = _text(item.get("title")), _text(item.get("body"))
    if not title and not body:
        return None
    path = resolve_path(_text(item.get("path")), files) or UNKNOWN_PATH
    line = usable_line(item.get("line"))
    start = usable_line(item.get("start_line"))
    file_level = line is None
    if line is None or (start is not None and start >= line):
        start = None
    side = _text(item.get("side")).upper()
    suggestion = unfence(item.get("suggestion"))
    return Finding(
        path=path,
        line=line or 1,
        start_line=None if file_level else start,
        side="LEFT" if side == "LEFT" and not file_level else "RIGHT",
        severity=map_severity(item.get("severity")),
        category=map_category(item.get("category"), f"{title}\n{body}"),
        title=_title(title, body),
        body=body or title,
        suggestion=suggestion if isinstance(suggestion, str) else None,
        source="model",
        file_level=file_level,
    )
