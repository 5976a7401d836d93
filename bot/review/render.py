"""Markdown for inline comment bodies (the summary lives in bot.review.summary, re-exported here).

Everything the model or the PR supplied goes through bot.review.markdown before it is posted.
"""

from __future__ import annotations

from bot.markers import fingerprint_marker
from bot.models import Finding
from bot.review.markdown import (
    MAX_BODY,
    SEVERITY_BADGE,
    category_label,
    clip,
    code_span,
    fence,
    neutralise_mentions,
    one_line,
    safe_prose,
    size,
    suggestion_text,
)
from bot.review.summary import render_job_summary, render_summary

__all__ = [
    "MAX_BODY",
    "category_label",
    "comment_body",
    "finding_head",
    "neutralise_mentions",
    "render_job_summary",
    "render_summary",
    "suggestion_text",
]

_SUGGESTION_ROOM = MAX_BODY // 2  # a longer suggestion is left out: the explanation matters more


def finding_head(finding: Finding) -> str:
    """`🟠 **High** · Database · rule `x` (static check)`: what a reader triages by."""
    head = (
        f"{SEVERITY_BADGE[finding.severity]} **{finding.severity.capitalize()}**"
        f" · {category_label(finding.category)}"
    )
    if finding.rule:
        head += f" · rule {code_span(finding.rule)}"
    if finding.source == "static":
        head += " (static check)"
    return head


def _suggestion_block(code: str, *, applies: bool) -> str:
    if applies:
        return fence(code, "suggestion")
    caption = "Suggested code (not offered as a one-click change: it was written for other lines):"
    return f"{caption}\n\n{fence(code)}"


def comment_body(
    finding: Finding, fp: str, *, note: str | None = None, suggestion_applies: bool = True
) -> str:
    """The body of an inline or file-level comment, at most MAX_BODY characters.

    `note` (ours, e.g. why the comment was moved) is shown in italics. When
    `suggestion_applies` is false the suggestion is shown as plain code, since a ```suggestion
    block would replace the wrong lines. Only the explanation is ever truncated, never the
    marker; a suggestion too long to fit is left out with a note.
    """
    head = finding_head(finding)
    title = f"**{safe_prose(one_line(finding.title))}**"
    marker = fingerprint_marker(fp)
    notes = [note] if note else []
    code = suggestion_text(finding)
    block = _suggestion_block(code, applies=suggestion_applies) if code is not None else None
    if block is not None and size(block) > _SUGGESTION_ROOM:
        block = None
        notes.append("The suggested change was too long to include.")
    tail = [block] if block else []
    tail += [f"_{safe_prose(one_line(n))}_" for n in notes]
    tail.append(marker)
    fixed = "\n\n".join([head, title, *tail])
    room = MAX_BODY - size(fixed) - 4  # the two "\n\n" around the explanation
    explanation = clip(safe_prose(finding.body.strip()), room)
    return "\n\n".join([head, title, explanation, *tail])
