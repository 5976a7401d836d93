"""What GitHub's JSON says, as our data: changed files, our earlier summary and comments. Pure."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.config import RepoConfig
from bot.diff import parse_patch
from bot.errors import DiffError
from bot.markers import SummaryState, find_fingerprints, is_summary_comment, parse_summary_marker
from bot.models import FileDiff, FileStatus

# GitHub's file statuses -> ours ("copied" keeps its source; "changed" is a mode change).
_STATUS: dict[str, FileStatus] = {
    "added": "added",
    "removed": "removed",
    "modified": "modified",
    "renamed": "renamed",
    "copied": "added",
    "changed": "modified",
    "unchanged": "modified",
}
# Authors whose hidden markers we believe: bots (our token) and people with write access.
# Anyone else could paste a marker to silence findings or fake the last reviewed head.
TRUSTED_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})


def file_diff(row: Mapping[str, Any]) -> FileDiff:
    """One `pulls.list_files` row as a FileDiff; no patch (binary, too large) -> patch_missing."""
    path = str(row.get("filename") or "")
    status = _STATUS.get(str(row.get("status") or "modified"), "modified")
    old = row.get("previous_filename") or None
    old_path = str(old) if old and status in ("renamed", "added") else None
    patch = row.get("patch") or None
    try:
        diff = parse_patch(path, patch, status=status, old_path=old_path)
    except DiffError:
        diff = parse_patch(path, None, status=status, old_path=old_path)
    if row.get("status") == "copied":
        return FileDiff(
            path=diff.path,
            status="added",
            hunks=diff.hunks,
            old_path=old_path,
            patch_missing=diff.patch_missing,
            copied=True,
        )
    return diff


TRUNCATION_SUSPECT_LINES = 5_000


def _zeroed(row: Mapping[str, Any]) -> bool:
    return not row.get("patch") and not row.get("additions") and not row.get("deletions")


def truncated_tails(
    rows: Sequence[Mapping[str, Any]], *, page_size: int, min_lines: int = TRUNCATION_SUSPECT_LINES
) -> list[tuple[int, int]]:
    """Row ranges [start, end) that GitHub probably cut: a page whose patches ran to ~20k lines
    returns its later rows with zero counts and no patch. Binary files look the same, so a
    tail is suspect only when the rows before it already carry `min_lines` patch lines."""
    tails = []
    for start in range(0, len(rows), page_size):
        page = rows[start : start + page_size]
        cut = len(page)
        while cut > 0 and _zeroed(page[cut - 1]):
            cut -= 1
        if cut == len(page):
            continue
        lines = sum(str(r.get("patch") or "").count("\n") + 1 for r in page[:cut] if r.get("patch"))
        if lines >= min_lines:
            tails.append((start + cut, start + len(page)))
    return tails


def file_diffs(rows: Iterable[Mapping[str, Any]]) -> list[FileDiff]:
    return [file_diff(row) for row in rows if row.get("filename")]


def is_trusted(comment: Mapping[str, Any]) -> bool:
    """Written by a bot or by someone with write access (see TRUSTED_ASSOCIATIONS)."""
    user = comment.get("user") or {}
    if user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]"):
        return True
    return comment.get("author_association") in TRUSTED_ASSOCIATIONS


@dataclass(frozen=True)
class EarlierSummary:
    """Our sticky summary comment from an earlier run."""

    comment_id: int
    html_url: str | None
    body: str
    state: SummaryState | None


def find_summary(comments: Sequence[Mapping[str, Any]]) -> EarlierSummary | None:
    """The first trusted issue comment that carries our summary marker."""
    for comment in comments:
        body = str(comment.get("body") or "")
        if is_summary_comment(body) and is_trusted(comment):
            return EarlierSummary(
                comment_id=int(comment["id"]),
                html_url=comment.get("html_url"),
                body=body,
                state=parse_summary_marker(body),
            )
    return None


def posted_fingerprints(review_comments: Iterable[Mapping[str, Any]]) -> set[str]:
    """Fingerprints already posted as review comments (outdated ones too)."""
    found: set[str] = set()
    for comment in review_comments:
        if is_trusted(comment):
            found |= find_fingerprints(str(comment.get("body") or ""))
    return found


def config_hash(config: RepoConfig, model: str) -> str:
    """What shapes a review: the configuration and the model. A change means a full review."""
    text = config.model_dump_json() + "\x1f" + model
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def changed_since(compare: Mapping[str, Any] | None) -> set[str] | None:
    """Paths changed between the last reviewed head and the new one, or None for a full review.

    None when the old head is not an ancestor (force-push: "diverged"/"behind", or unknown),
    or when the comparison is truncated (GitHub lists at most 300 files).
    """
    if not compare or compare.get("status") not in ("ahead", "identical"):
        return None
    files = compare.get("files") or []
    if len(files) >= 300:
        return None
    paths: set[str] = set()
    for row in files:
        paths.add(str(row.get("filename") or ""))
        if row.get("previous_filename"):
            paths.add(str(row["previous_filename"]))
    return paths


def pushed_diffs(compare: Mapping[str, Any] | None) -> list[FileDiff] | None:
    """The diff of each file changed between the last reviewed head and the new one, or None
    for a full review (see changed_since)."""
    if compare is None or changed_since(compare) is None:
        return None
    return file_diffs(compare.get("files") or [])
