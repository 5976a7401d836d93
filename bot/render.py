"""Markdown for comment bodies and the summary."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from bot.markers import fingerprint_marker
from bot.models import SEVERITIES, Finding

if TYPE_CHECKING:
    from bot.review import ReviewResult

MAX_BODY = 65_536
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")


def neutralise_mentions(text: str) -> str:
    """Stop @user and @org/team in model text from pinging anyone."""
    return _MENTION.sub("@\u200b", text)


def comment_body(finding: Finding, fp: str) -> str:
    head = f"**{finding.severity.upper()}** · {finding.category}"
    if finding.rule:
        head += f" · `{finding.rule}`"
    parts = [head, f"**{neutralise_mentions(finding.title)}**", neutralise_mentions(finding.body)]
    if finding.suggestion:
        parts.append(f"```suggestion\n{finding.suggestion.rstrip(chr(10))}\n```")
    parts.append(fingerprint_marker(fp))
    body = "\n\n".join(parts)
    return body if len(body) <= MAX_BODY else body[: MAX_BODY - 200] + "\n\n…(truncated)"


def render_summary(result: ReviewResult) -> str:
    """The markdown summary: what was found, what was reviewed, what was not and why."""
    counts = Counter(f.severity for f in result.findings)
    lines = ["## backend-review", ""]
    if result.findings:
        lines.append(
            f"{len(result.findings)} finding(s): "
            + ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s])
        )
    else:
        lines.append("No findings.")
    if result.model_status != "ok":
        lines += ["", f"Model review: {result.model_status}. " + " ".join(result.model_notes)]
    if result.summary_only:
        lines += ["", "### Findings not posted inline", ""]
        for finding, why in result.summary_only:
            where = f"`{finding.path}:{finding.line}`"
            lines.append(
                f"- **{finding.severity}** {where} {neutralise_mentions(finding.title)} ({why})"
            )
    reviewed = [r for r in result.reports if r.reviewed]
    skipped = [r for r in result.reports if not r.reviewed]
    lines += ["", f"### Files reviewed ({len(reviewed)})", ""]
    lines += [f"- `{r.path}`: {', '.join(r.categories)}" for r in reviewed]
    if skipped:
        lines += ["", f"<details><summary>Files not reviewed ({len(skipped)})</summary>", ""]
        lines += [f"- `{r.path}`: {r.skip_reason}" for r in skipped]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
