"""Match a review's findings to a case's expectations and score them. Pure: data in, data out.

A finding matches an expectation when it is on the same file and side, its lines overlap the
expected window, its category is one the expectation accepts, its severity reaches the floor, and
its text contains every keyword group (any one spelling of each). Each finding matches at most one
expectation and each expectation at most one finding (a maximum bipartite matching, so one vague
finding cannot steal the only expectation a sharper one could match).

Recall is the share of expectations matched. Precision is the share of findings that are not
noise: a finding that matches an expectation, or at least does not sit on a line the case marks
as one where any comment would be noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.models import Category, Finding, Severity, Side, severity_rank

Verdict = Literal["match", "extra", "noise"]


@dataclass(frozen=True)
class Window:
    """Lines of one file (new-file numbers on RIGHT, old-file numbers on LEFT)."""

    path: str
    start: int
    end: int
    side: Side = "RIGHT"

    def label(self) -> str:
        lines = f"{self.start}" if self.start == self.end else f"{self.start}-{self.end}"
        return f"{self.path}:{lines}{' LEFT' if self.side == 'LEFT' else ''}"


@dataclass(frozen=True)
class Expectation:
    """A problem a senior reviewer must raise, and how to recognise a finding that raises it.

    `windows` are the places a correct comment may sit (the first is where the problem is; more
    when it shows in several places, such as a GraphQL field and its resolver).
    """

    windows: tuple[Window, ...]
    categories: tuple[Category, ...]
    severity: Severity
    keywords: tuple[tuple[str, ...], ...] = ()
    why: str = ""

    def label(self) -> str:
        where = " or ".join(w.label() for w in self.windows)
        return f"{where} {'/'.join(self.categories)} >={self.severity}"


@dataclass(frozen=True)
class NoiseSpan:
    """Lines where a comment would be noise; no lines means the whole file."""

    path: str
    start: int | None = None
    end: int | None = None
    side: Side = "RIGHT"


@dataclass(frozen=True)
class Judged:
    """What the matcher made of one finding."""

    finding: Finding
    verdict: Verdict
    expectation: int | None = None  # index of the matched expectation


@dataclass(frozen=True)
class Miss:
    """An expectation no finding matched, with the closest finding and why it did not match."""

    expectation: int
    closest: Finding | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Score:
    expected: int
    matched: int
    findings: int
    noise: int
    judged: tuple[Judged, ...] = ()
    misses: tuple[Miss, ...] = field(default_factory=tuple)

    @property
    def precise(self) -> int:
        return self.findings - self.noise

    @property
    def recall(self) -> float | None:
        """None when nothing was expected (a case whose change is fine)."""
        return self.matched / self.expected if self.expected else None

    @property
    def precision(self) -> float | None:
        """None when nothing was found."""
        return self.precise / self.findings if self.findings else None


def _span(finding: Finding) -> tuple[int, int]:
    return (finding.start_line or finding.line, finding.line)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def finding_text(finding: Finding) -> str:
    """Everything a reader of the comment sees, lower-cased, for keyword search."""
    parts = [finding.rule or "", finding.title, finding.body, finding.suggestion or ""]
    return " ".join(parts).lower()


def mismatches(finding: Finding, expectation: Expectation) -> tuple[str, ...]:
    """Why `finding` does not match `expectation`; empty when it matches."""
    e = expectation
    same_file = [w for w in e.windows if w.path == finding.path]
    if not same_file:
        return (f"path {finding.path}",)
    reasons = []
    start, end = _span(finding)
    if not any(
        w.side == finding.side and _overlaps((start, end), (w.start, w.end)) for w in same_file
    ):
        where = ", ".join(w.label() for w in same_file)
        reasons.append(
            f"lines {start}-{end}{' LEFT' if finding.side == 'LEFT' else ''} not in {where}"
        )
    if finding.category not in e.categories:
        reasons.append(f"category {finding.category}")
    if severity_rank(finding.severity) < severity_rank(e.severity):
        reasons.append(f"severity {finding.severity}")
    text = finding_text(finding)
    for group in e.keywords:
        if not any(word.lower() in text for word in group):
            reasons.append(f"no {'|'.join(group)!r}")
    return tuple(reasons)


def on_noise(finding: Finding, noise: Sequence[NoiseSpan]) -> bool:
    span = _span(finding)
    for n in noise:
        if n.path != finding.path or n.side != finding.side:
            continue
        if n.start is None or _overlaps(span, (n.start, n.end or n.start)):
            return True
    return False


def _assign(candidates: list[list[int]]) -> dict[int, int]:
    """Maximum bipartite matching (Kuhn's augmenting paths): finding index -> expectation index."""
    owner: dict[int, int] = {}  # expectation -> finding

    def augment(f: int, seen: set[int]) -> bool:
        for e in candidates[f]:
            if e in seen:
                continue
            seen.add(e)
            if e not in owner or augment(owner[e], seen):
                owner[e] = f
                return True
        return False

    for f in range(len(candidates)):
        augment(f, set())
    return {f: e for e, f in owner.items()}


def _closest(e: Expectation, findings: Sequence[Finding], used: set[int]) -> Miss | None:
    best: tuple[int, Finding, tuple[str, ...]] | None = None
    for i, f in enumerate(findings):
        if i in used or all(w.path != f.path for w in e.windows):
            continue
        reasons = mismatches(f, e)
        if best is None or len(reasons) < len(best[2]):
            best = (i, f, reasons)
    return None if best is None else Miss(expectation=-1, closest=best[1], reasons=best[2])


def score(
    findings: Sequence[Finding],
    expectations: Sequence[Expectation],
    noise: Sequence[NoiseSpan] = (),
) -> Score:
    """Judge every finding and count what was expected, matched and noisy."""
    candidates = [[j for j, e in enumerate(expectations) if not mismatches(f, e)] for f in findings]
    assigned = _assign(candidates)
    judged = []
    for i, f in enumerate(findings):
        if i in assigned:
            judged.append(Judged(f, "match", assigned[i]))
        else:
            judged.append(Judged(f, "noise" if on_noise(f, noise) else "extra"))
    hit = set(assigned.values())
    used = set(assigned)
    misses = []
    for j, e in enumerate(expectations):
        if j in hit:
            continue
        near = _closest(e, findings, used)
        misses.append(Miss(j, near.closest, near.reasons) if near is not None else Miss(j))
    return Score(
        expected=len(expectations),
        matched=len(hit),
        findings=len(findings),
        noise=sum(1 for j in judged if j.verdict == "noise"),
        judged=tuple(judged),
        misses=tuple(misses),
    )
