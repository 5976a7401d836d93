"""Turn findings into inline comments GitHub will accept, or send them to the summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.findings import fingerprint, sort_findings
from bot.models import FileDiff, Finding, InlineComment
from bot.render import comment_body


@dataclass(frozen=True)
class Placement:
    comments: list[InlineComment]
    summary_only: list[tuple[Finding, str]]  # (finding, why it is not inline)


def place_findings(
    findings: Sequence[Finding],
    files: Mapping[str, FileDiff],
    *,
    max_inline: int,
) -> Placement:
    """Place each finding inline when its anchor is valid; everything else goes to the summary."""
    comments: list[InlineComment] = []
    summary: list[tuple[Finding, str]] = []
    for finding in sort_findings(findings):
        file = files.get(finding.path)
        if file is None:
            summary.append((finding, "file is not part of this change"))
            continue
        anchors = file.anchors(finding.side)
        if finding.line not in anchors:
            summary.append((finding, "line is outside the diff"))
            continue
        if len(comments) >= max_inline:
            summary.append((finding, "inline comment limit reached"))
            continue
        fp = fingerprint(finding, file)
        comments.append(
            InlineComment(
                path=finding.path,
                body=comment_body(finding, fp),
                fingerprint=fp,
                line=finding.line,
                side=finding.side,
            )
        )
    return Placement(comments=comments, summary_only=summary)
