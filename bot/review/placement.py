"""Turn findings into inline comments GitHub will accept, or send them to the summary.

GitHub rejects a whole review when one comment's line is not in the diff, and the error does
not say which (see ../shared/notes/github-api.md), so every anchor is checked here, before
posting. A finding a few lines off is snapped to the nearest line in the diff; one farther
off becomes a file-level comment; one on a file the PR does not touch goes to the summary.
Every finding ends up in exactly one place: `comments`, `summary_only` or `already_posted`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from bot.models import FileDiff, Finding, InlineComment, Side
from bot.review.findings import fingerprint, sort_findings
from bot.review.render import comment_body

SNAP_LINES = 3  # a finding this close to the diff is moved onto it; farther, it is file-level

REASON_NOT_IN_PR = "the file is not part of this change"
REASON_NO_LINES = "the file has no lines in the diff to comment on"
REASON_DUPLICATE = "another comment in this review covers the same code and rule"


def reason_cap(max_inline: int) -> str:
    return f"the limit of {max_inline} inline comments was reached"


@dataclass(frozen=True)
class Placement:
    comments: list[InlineComment]
    summary_only: list[tuple[Finding, str]]  # (finding, why it is not inline)
    placed: list[tuple[Finding, InlineComment]] = field(default_factory=list)
    already_posted: list[tuple[Finding, str]] = field(default_factory=list)  # (finding, fp)


@dataclass(frozen=True)
class Anchor:
    """Where a comment goes: `line` None means the whole file."""

    line: int | None
    side: Side = "RIGHT"
    start_line: int | None = None
    note: str | None = None  # why the comment is not exactly where the finding said
    suggestion_applies: bool = False


def _other(side: Side) -> Side:
    return "LEFT" if side == "RIGHT" else "RIGHT"


def _lines(lo: int, hi: int) -> str:
    return f"line {lo}" if lo == hi else f"lines {lo}-{hi}"


def _nearest(sorted_lines: Sequence[int], lo: int, hi: int) -> int | None:
    """The diff line nearest to [lo, hi] (which holds none) within SNAP_LINES; earlier on a tie."""
    i = bisect_left(sorted_lines, lo)
    before = sorted_lines[i - 1] if i > 0 else None
    j = bisect_right(sorted_lines, hi)
    after = sorted_lines[j] if j < len(sorted_lines) else None
    options: list[tuple[int, int]] = []
    if before is not None:
        options.append((lo - before, before))
    if after is not None:
        options.append((after - hi, after))
    best = min(options, default=None)
    return best[1] if best is not None and best[0] <= SNAP_LINES else None


def resolve_anchor(finding: Finding, file: FileDiff) -> Anchor | None:
    """A valid anchor for the finding in `file`, or None when it can only go to the summary."""
    if finding.file_level:  # the model named the file but no usable line
        if not (file.hunks or file.patch_missing):
            return None
        return Anchor(line=None, note="No usable line was given for this; it is about the file.")
    side: Side = finding.side
    if not file.anchors(side) and file.anchors(_other(side)):
        side = _other(side)  # e.g. RIGHT on a deleted file: only old lines exist
    anchors = file.anchors(side)
    lo, hi = sorted((finding.start_line or finding.line, finding.line))
    where = _lines(lo, hi) + (" (removed code)" if finding.side == "LEFT" else "")
    if not anchors:
        if not (file.hunks or file.patch_missing):
            return None
        return Anchor(line=None, note=f"About {where}; GitHub shows no diff for this file.")
    ordered = sorted(anchors)
    inside = ordered[bisect_left(ordered, lo) : bisect_right(ordered, hi)]
    if inside:
        line, moved = inside[-1], False
    else:
        snapped = _nearest(ordered, lo, hi)
        if snapped is None:
            return Anchor(line=None, note=f"About {where}, which is outside the diff.")
        line, moved = snapped, True
    hunk = anchors[line]
    start = None if moved else next(n for n in inside if anchors[n] == hunk)
    start = None if start == line else start
    if moved:
        note = f"Moved: this is about {where}, not in the diff; shown on the nearest line that is."
    elif (start or line, line) != (lo, hi):
        note = f"This is about {where}; the comment covers the part in the diff."
    else:
        note = None
    if side != finding.side:
        note = f"{note or ''} Reported on the {finding.side} side, which has no lines here.".strip()
    exact = note is None
    return Anchor(
        line=line,
        side=side,
        start_line=start,
        note=note,
        suggestion_applies=exact and side == "RIGHT",
    )


def find_file(files: Mapping[str, FileDiff], path: str) -> FileDiff | None:
    """The changed file at `path`, also when written `./path`, `/path`, `a/path` or `b/path`."""
    if path in files:
        return files[path]
    bare = path.lstrip("/")
    while bare.startswith("./"):
        bare = bare[2:]
    candidates = [bare]
    if bare.startswith(("a/", "b/")):
        candidates.append(bare[2:])
    return next((files[c] for c in candidates if c in files), None)


def _anchored(finding: Finding, anchor: Anchor, path: str) -> Finding:
    """The finding as placed, so its fingerprint is computed on the code it is shown on."""
    if anchor.line is None:
        return finding.model_copy(update={"path": path})
    return finding.model_copy(
        update={
            "path": path,
            "line": anchor.line,
            "start_line": anchor.start_line,
            "side": anchor.side,
        }
    )


def place_findings(
    findings: Sequence[Finding],
    files: Mapping[str, FileDiff],
    *,
    max_inline: int,
    posted: Collection[str] = frozenset(),
) -> Placement:
    """Place each finding, worst first, inline or file-level when GitHub accepts it.

    The rest go to `summary_only` with the reason: file not in the change, no lines to comment
    on, same fingerprint as a comment placed already, or over `max_inline` (which counts
    file-level comments too). Findings whose fingerprint is in `posted` (comments from earlier
    runs) go to `already_posted` and do not count against the cap.
    """
    comments: list[InlineComment] = []
    placed: list[tuple[Finding, InlineComment]] = []
    summary: list[tuple[Finding, str]] = []
    already: list[tuple[Finding, str]] = []
    seen: set[str] = set()
    for finding in sort_findings(findings):
        file = find_file(files, finding.path)
        if file is None:
            summary.append((finding, REASON_NOT_IN_PR))
            continue
        anchor = resolve_anchor(finding, file)
        if anchor is None:
            summary.append((finding, REASON_NO_LINES))
            continue
        fp = fingerprint(_anchored(finding, anchor, file.path), file)
        if fp in posted:
            already.append((finding, fp))
        elif fp in seen:
            summary.append((finding, REASON_DUPLICATE))
        elif len(comments) >= max_inline:
            summary.append((finding, reason_cap(max(0, max_inline))))
        else:
            seen.add(fp)
            comment = _comment(finding, anchor, fp, file.path)
            comments.append(comment)
            placed.append((finding, comment))
    return Placement(comments=comments, summary_only=summary, placed=placed, already_posted=already)


def _comment(finding: Finding, anchor: Anchor, fp: str, path: str) -> InlineComment:
    body = comment_body(finding, fp, note=anchor.note, suggestion_applies=anchor.suggestion_applies)
    return InlineComment(
        path=path,
        body=body,
        fingerprint=fp,
        line=anchor.line,
        side=anchor.side,
        start_line=anchor.start_line,
        start_side=anchor.side if anchor.start_line is not None else None,
    )


def comment_problem(comment: InlineComment, files: Mapping[str, FileDiff]) -> str | None:
    """Why GitHub would reject this comment's anchor, or None when it is valid."""
    file = files.get(comment.path)
    if file is None:
        return "file not in the pull request"
    if comment.line is None:
        return None if file.hunks or file.patch_missing else "file has no diff"
    anchors = file.anchors(comment.side)
    if comment.line not in anchors:
        return f"line {comment.line} ({comment.side}) is not in the diff"
    if comment.start_line is None:
        return None
    if (comment.start_side or comment.side) != comment.side:
        return "start_side differs from side"
    return _range_problem(comment.start_line, comment.line, anchors)


def _range_problem(start: int, line: int, anchors: Mapping[int, int]) -> str | None:
    if start >= line:
        return "start_line is not before line"
    if anchors.get(start) != anchors[line]:
        return "start_line and line are in different hunks"
    return None
