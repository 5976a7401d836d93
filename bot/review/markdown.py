"""Markdown building blocks: untrusted text made safe to post, fences, severity badges.

Untrusted text is the model's answers and the PR's paths. Three dangers: an @-mention pings
people; an HTML comment hides text or forges the markers later runs trust; a stray fence
swallows the rest of the body. And GitHub caps a body at 65,536 characters.
"""

from __future__ import annotations

import re

from bot.models import Category, Finding, Severity

MAX_BODY = 65_536
ZWSP = "\u200b"
_MENTION = re.compile(r"@(?=[A-Za-z0-9_])")
_HTML_COMMENT = re.compile(r"<!--")
_MARKER = re.compile(r"(<!--\s*)(backend-review)", re.IGNORECASE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_BACKTICKS = re.compile(r"`+")


def neutralise_mentions(text: str) -> str:
    """Stop @user and @org/team from pinging anyone (a zero-width space after the `@`).

    Applied to all prose, code spans and fences included: a link that pings cannot be
    undone, a decorator that needs retyping after a copy can.
    """
    return _MENTION.sub("@" + ZWSP, text)


def defuse_markers(text: str) -> str:
    """Break `<!--` so that untrusted text can neither hide content nor forge our markers."""
    return _HTML_COMMENT.sub("<" + ZWSP + "!--", text)


def defuse_markers_in_code(code: str) -> str:
    """Break only our own marker prefix: code (a suggestion) must otherwise stay as it is."""
    return _MARKER.sub(lambda m: m.group(1) + "backend" + ZWSP + "-review", code)


def safe_prose(text: str) -> str:
    """Untrusted prose as it may be posted: no pings, no HTML comments, fences closed."""
    return close_fences(defuse_markers(neutralise_mentions(text)))


def one_line(text: str) -> str:
    """Collapse whitespace, so a title cannot break the line it is on."""
    return " ".join(text.split())


def close_fences(text: str) -> str:
    """Append a closing fence when the text leaves one open (it would swallow what follows)."""
    opener: str | None = None
    for line in text.splitlines():
        match = _FENCE.match(line)
        if match is None:
            continue
        run, rest = match.group(1), match.group(2)
        if opener is None:
            if not (run[0] == "`" and "`" in rest):
                opener = run
        elif run[0] == opener[0] and len(run) >= len(opener) and not rest.strip():
            opener = None
    return text if opener is None else f"{text.rstrip(chr(10))}\n{opener}"


def fence(code: str, info: str = "") -> str:
    """A fenced block that `code` cannot close early: longer than any backtick run inside."""
    longest = max((len(m) for m in _BACKTICKS.findall(code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{code.rstrip(chr(10))}\n{ticks}"


def code_span(text: str) -> str:
    """Inline code for a path or rule id, whatever backticks it holds, without pings."""
    text = neutralise_mentions(one_line(text))
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{defuse_markers(text)}{pad}{ticks}"


def size(text: str) -> int:
    """Length as GitHub counts it, conservatively: UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _cut(text: str, budget: int) -> str:
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > budget:
            return text[:i]
    return text


def clip(text: str, limit: int, *, ellipsis: str = "\n\n… (truncated)") -> str:
    """`text` cut to at most `limit` UTF-16 units, saying so when it was cut."""
    if size(text) <= limit:
        return text
    if size(ellipsis) >= limit:
        return _cut(ellipsis, limit)
    budget = limit - size(ellipsis)
    while True:
        out = close_fences(_cut(text, budget)) + ellipsis
        if size(out) <= limit:
            return out
        budget -= size(out) - limit


SEVERITY_BADGE: dict[Severity, str] = {
    "critical": "🔴",
    "high": "🟠",
    "medium": "🟡",
    "low": "🔵",
    "info": "⚪",
}
_CATEGORY_LABEL: dict[Category, str] = {
    "api-design": "API design",
    "database": "Database",
    "reliability": "Reliability",
    "observability": "Observability",
    "code-quality": "Code quality",
    "security": "Security",
}


def category_label(category: Category) -> str:
    return _CATEGORY_LABEL[category]


def suggestion_text(finding: Finding) -> str | None:
    """The suggested code, or None; an empty suggestion counts as none, not as "delete"."""
    if finding.suggestion is None or not finding.suggestion.strip():
        return None
    return defuse_markers_in_code(finding.suggestion)
