"""The markdown summary of a review: for the sticky PR comment and the job summary.

It must say everything the inline comments do not: counts, what was and was not reviewed,
findings that could not be placed inline (in full), what the model did not see, tokens, cost
and time. It stays under GitHub's body limit by cutting lists, least important first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.models import CATEGORIES, SEVERITIES, Category, FileReport, Finding
from bot.review.markdown import (
    MAX_BODY,
    SEVERITY_BADGE,
    category_label,
    clip,
    code_span,
    fence,
    one_line,
    safe_prose,
    size,
    suggestion_text,
)

if TYPE_CHECKING:
    from bot.review.result import ReviewResult

_MAX_FINDING = 6_000  # one summary-only finding; longer explanations are cut
_MAX_NOTE = 1_000
_MAX_OVERVIEW = 3_000  # one model request's summary of the change
_MAX_NOTES = 20
_OPEN_LIST = 10  # longer file lists are folded into <details>
_MORE_ROOM = 80  # room kept for the "... and N more" line of a cut list
_STATUS = {
    "skipped": "⚠️ **Model review skipped.**",
    "failed": "❌ **Model review failed.**",
    "partial": "⚠️ **Model review incomplete.**",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _where(f: Finding) -> str:
    if f.file_level:
        return code_span(f.path)
    side = " (removed lines)" if f.side == "LEFT" else ""
    lines = f"{f.start_line}-{f.line}" if f.start_line and f.start_line != f.line else f"{f.line}"
    return f"{code_span(f'{f.path}:{lines}')}{side}"


def _headline(result: ReviewResult) -> str:
    n = len(result.findings)
    if not n:
        return "No findings."
    counts = Counter(f.severity for f in result.findings)
    by_sev = " · ".join(f"{SEVERITY_BADGE[s]} {counts[s]} {s}" for s in SEVERITIES if counts[s])
    return (
        f"**{_plural(n, 'finding')}**: {by_sev}. {len(result.comments)} as review comments, "
        f"{len(result.summary_only)} only in this summary."
    )


def not_shown_line(result: ReviewResult) -> str | None:
    """`2 info findings not shown (min_severity: low)`: nothing disappears without a trace."""
    if not result.not_shown:
        return None
    counts = ", ".join(
        f"{n} {sev} finding{'s' if n != 1 else ''}" for sev, n in result.not_shown.items()
    )
    return f"{counts} not shown (min_severity: {result.min_severity})."


def _model_status(result: ReviewResult) -> list[str]:
    notes = [safe_prose(one_line(clip(n, _MAX_NOTE))) for n in result.model_notes[:_MAX_NOTES]]
    if len(result.model_notes) > _MAX_NOTES:
        notes.append(f"... and {len(result.model_notes) - _MAX_NOTES} more notes")
    if result.model_status == "ok":
        model = f" ({code_span(result.model)})" if result.model else ""
        lead = f"✅ Model review complete{model}."
        return [lead + (" " + " ".join(notes) if notes else "")]
    lead = _STATUS[result.model_status]
    if result.model_status == "failed":
        lead += " The deterministic checks ran and are reported here."
    return [lead, *[f"- {n}" for n in notes]]


def _counts_table(findings: Sequence[Finding]) -> list[str]:
    """Rows: categories with findings; columns: severities with findings."""
    if not findings:
        return []
    cells = Counter((f.category, f.severity) for f in findings)
    sevs = [s for s in SEVERITIES if any(f.severity == s for f in findings)]
    cats: list[Category] = [c for c in CATEGORIES if any(f.category == c for f in findings)]
    head = "| category | " + " | ".join(f"{SEVERITY_BADGE[s]} {s}" for s in sevs) + " | total |"
    rule = "| --- |" + " ---: |" * (len(sevs) + 1)
    rows = [
        f"| {category_label(c)} | "
        + " | ".join(str(cells[(c, s)] or "") for s in sevs)
        + f" | {sum(cells[(c, s)] for s in sevs)} |"
        for c in cats
    ]
    total = " | ".join(str(sum(cells[(c, s)] for c in cats)) for s in sevs)
    return [head, rule, *rows, f"| **total** | {total} | {len(findings)} |"]


def _finding_item(finding: Finding, why: str) -> str:
    """A summary-only finding in full: where, what, why it is not inline, the fix."""
    rule = f" · rule {code_span(finding.rule)}" if finding.rule else ""
    src = " (static check)" if finding.source == "static" else ""
    parts = [
        f"#### {SEVERITY_BADGE[finding.severity]} {safe_prose(one_line(finding.title))}",
        f"**{finding.severity}** · {category_label(finding.category)}{rule}{src}"
        f" · {_where(finding)} · _{safe_prose(one_line(why))}_",
        safe_prose(finding.body.strip()),
    ]
    code = suggestion_text(finding)
    if code is not None:
        parts.append("Suggested code:\n\n" + fence(code))
    return clip("\n\n".join(parts), _MAX_FINDING)


def _file_reviewed(report: FileReport) -> str:
    test = " (test)" if report.is_test else ""
    reasons = f" ({safe_prose('; '.join(report.reasons))})" if report.reasons else ""
    return f"- {code_span(report.path)}: {', '.join(report.categories)}{test}{reasons}"


def duration(seconds: float) -> str:
    """12.3 s, or 4 min 05 s past a minute."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _usage(result: ReviewResult) -> list[str]:
    u = result.usage
    lines = [f"Time: {duration(result.elapsed_s)}."]
    if u.requests or u.input_tokens or u.output_tokens:
        lines = [
            "| requests | input tokens | output tokens | cache write | cache read | est. cost |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| {u.requests} | {u.input_tokens:,} | {u.output_tokens:,} "
            f"| {u.cache_creation_input_tokens:,} | {u.cache_read_input_tokens:,} "
            f"| ${u.cost_usd:.4f} |",
            "",
            *lines,
        ]
    return lines


class _Budget:
    """What is left of the size limit, spent on lists in order of importance."""

    def __init__(self, room: int) -> None:
        self.room = room

    def take(self, items: Sequence[str], *, sep: str = "\n") -> list[str]:
        """As many items as fit (in order), then "... and N more" for the rest."""
        kept: list[str] = []
        for i, item in enumerate(items):
            cost = size(item) + size(sep)
            if cost > self.room - _MORE_ROOM:
                kept.append(f"_... and {len(items) - i} more (left out: the summary is full)_")
                self.room -= size(kept[-1]) + size(sep)
                return kept
            kept.append(item)
            self.room -= cost
        return kept


def _section(title: str, items: list[str], *, fold: bool, sep: str = "\n") -> list[str]:
    if not items:
        return []
    body = sep.join(items)
    if fold:
        return ["", f"<details><summary>{title}</summary>", "", body, "", "</details>"]
    return ["", f"### {title}", "", body]


def render_summary(
    result: ReviewResult,
    *,
    marker: str = "",
    limit: int = MAX_BODY,
    heading: str = "## 🔎 backend-review",
    all_findings: bool = False,
) -> str:
    """The summary markdown, at most `limit` characters with `marker` (never cut) at the end.

    By default it lists in full only the findings that are not inline comments; with
    `all_findings` it lists every finding (for the job summary, read when a review could not be
    posted, e.g. a fork's read-only token).
    """
    reviewed = [r for r in result.reports if r.reviewed]
    skipped = [r for r in result.reports if not r.reviewed]
    hidden = not_shown_line(result)
    top = [heading, "", _headline(result), *([hidden] if hidden else [])]
    top += ["", *_model_status(result)]
    table = _counts_table(result.findings)
    usage = ["", "### Usage", "", *_usage(result)]
    fixed = "\n".join([*top, *table, *usage]) + "\n" + marker
    budget = _Budget(limit - size(fixed) - 600)  # 600: section headings and folding tags
    if all_findings:
        why = {f: reason for f, reason in result.summary_only}
        listed = [(f, why.get(f, "inline comment")) for f in result.findings]
        title = f"Findings ({len(listed)})"
    else:
        listed = list(result.summary_only)
        title = f"Findings not posted inline ({len(listed)})"
    not_inline = budget.take([_finding_item(f, why) for f, why in listed], sep="\n\n")
    overview = budget.take(
        [safe_prose(clip(t.strip(), _MAX_OVERVIEW)) for t in result.model_summaries if t.strip()],
        sep="\n\n",
    )
    unseen = budget.take(
        [f"- {code_span(p)}: {safe_prose(one_line(why))}" for p, why in result.unseen_by_model]
    )
    skipped_items = budget.take(
        [f"- {code_span(r.path)}: {safe_prose(r.skip_reason or 'not reviewed')}" for r in skipped]
    )
    reviewed_items = budget.take([_file_reviewed(r) for r in reviewed])
    lines = [*top, *_section("Overview", overview, fold=False, sep="\n\n")]
    lines += ["", *table] if table else []
    lines += _section(title, not_inline, fold=False, sep="\n\n")
    lines += _section(
        f"Files the model did not see ({len(result.unseen_by_model)})",
        unseen,
        fold=len(unseen) > _OPEN_LIST,
    )
    lines += _section(
        f"Files reviewed ({len(reviewed)})", reviewed_items, fold=len(reviewed_items) > _OPEN_LIST
    )
    lines += _section(
        f"Files not reviewed ({len(skipped)})", skipped_items, fold=len(skipped_items) > _OPEN_LIST
    )
    text = "\n".join([*lines, *usage]) + "\n"
    return clip(text, limit - size(marker)) + marker


# GITHUB_STEP_SUMMARY takes 1 MiB of UTF-8; a UTF-16 unit is at most 3 bytes of UTF-8.
JOB_SUMMARY_LIMIT = 340_000


def render_job_summary(result: ReviewResult) -> str:
    """The summary for GITHUB_STEP_SUMMARY: every finding in full, within the 1 MiB limit."""
    return render_summary(result, limit=JOB_SUMMARY_LIMIT, all_findings=True)
