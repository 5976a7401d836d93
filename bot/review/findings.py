"""Finding bookkeeping: fingerprints, ordering, merging.

Fingerprints identify a finding by what it says about which code, not by line numbers, so that
later runs recognise what earlier runs posted. Merging folds the model's restatements of static
findings, and duplicates from parallel model requests, into one finding each.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

from bot.models import FileDiff, Finding, severity_rank

_SPACE = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s,;]+$")
_WORD = re.compile(r"[a-z0-9_]+")
NEAR_LINES = 2  # findings whose ranges are this close are about the same code
IDENTIFYING_CHARS = 12  # letters and digits of code that identify what a finding points at
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "is",
        "are",
        "be",
        "by",
        "with",
        "and",
        "or",
        "this",
        "that",
        "it",
        "its",
        "as",
        "at",
        "from",
    ]
)


def normalise_code(lines: Iterable[str]) -> str:
    """Whitespace collapsed and trailing `,`/`;` dropped per line, blank lines dropped.

    A reformat, or a comma added when an element is appended after the line, does not change
    what the code is, so it must not change the fingerprint.
    """
    return "\n".join(_normalised_lines(lines))


def _normalised_lines(lines: Iterable[str]) -> list[str]:
    out = (_TRAILING.sub("", _SPACE.sub(" ", line).strip()) for line in lines)
    return [line for line in out if line]


def anchored_text(finding: Finding, file: FileDiff | None) -> str:
    """The code that identifies the finding, normalised (line numbers shift; code does not).

    That is the finding's last line, extended upwards through the lines of its hunk until it
    holds at least IDENTIFYING_CHARS letters or digits. Where the range starts does not
    matter (a model may anchor 10-13 on one push and 12-13 on the next), and a last line such
    as `)` is identified by the code above it. Empty when the line is not in the diff.
    """
    if file is None or finding.file_level:
        return ""
    last = max(finding.start_line or finding.line, finding.line)
    right = finding.side == "RIGHT"
    for hunk in file.hunks:
        start, length = (
            (hunk.new_start, hunk.new_length) if right else (hunk.old_start, hunk.old_length)
        )
        if not start <= last < start + length:
            continue  # cheap skip by the hunk header; the lines below decide
        numbered = [
            (n, ln.text)
            for ln in hunk.lines
            if (n := ln.new_no if right else ln.old_no) is not None
        ]
        if not numbered or not numbered[0][0] <= last <= numbered[-1][0]:
            continue
        lines = _normalised_lines(text for n, text in numbered if n <= last)
        used, chars = 0, 0
        while used < len(lines) and chars < IDENTIFYING_CHARS:
            used += 1
            chars += sum(ch.isalnum() for ch in lines[-used])
        return "\n".join(lines[len(lines) - used :])
    return ""


def fingerprint(finding: Finding, file: FileDiff | None) -> str:
    """Stable identity of a finding across pushes: path, rule or category, anchored code.

    When the anchor holds no code we can see (outside the diff, file not in the change), the
    normalised title stands in for it, so that two different problems there stay distinct.
    """
    code = anchored_text(finding, file)
    if not code:
        code = "title:" + " ".join(_WORD.findall(finding.title.lower()))
    key = "\x1f".join((finding.path, finding.rule or finding.category, code))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first, then by path and line, so output is stable."""
    return sorted(
        findings, key=lambda f: (-severity_rank(f.severity), f.path, f.line, f.title, f.source)
    )


def _span(f: Finding) -> tuple[int, int]:
    start = f.start_line or f.line
    return min(start, f.line), max(start, f.line)


def _near(a: Finding, b: Finding) -> bool:
    """Same file and side, and line ranges that overlap or lie within NEAR_LINES."""
    if a.path != b.path or a.side != b.side:
        return False
    (a0, a1), (b0, b1) = _span(a), _span(b)
    return max(a0, b0) - min(a1, b1) <= NEAR_LINES


def _stem(word: str) -> str:
    """A crude stemmer, enough for titles: queries/query, indexes/index, locking/lock."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "es", "ed", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS}


def similar_titles(a: str, b: str) -> bool:
    """Titles that name the same problem: most of their words shared, or nearly the same text."""
    wa, wb = _words(a), _words(b)
    if wa and wb and len(wa & wb) / len(wa | wb) >= 0.5:
        return True
    return SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.75


def _mentions_rule(model: Finding, rule: str) -> bool:
    """The rule id appears as a whole word (not inside a longer id) in the model's text."""
    pattern = rf"(?<![\w-]){re.escape(rule.lower())}(?![\w-])"
    return re.search(pattern, f"{model.title}\n{model.body}".lower()) is not None


def restates(model: Finding, static: Finding) -> bool:
    """The model finding is about the same problem as the static one.

    Same path and side, near lines, and either the same rule (given, or named in the model's
    text, as the prompt shows the static rule ids) or the same category with a similar title.
    """
    if not _near(model, static):
        return False
    if static.rule and (model.rule == static.rule or _mentions_rule(model, static.rule)):
        return True
    return model.category == static.category and similar_titles(model.title, static.title)


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def _absorb(static: Finding, extras: Sequence[Finding]) -> Finding:
    """The static finding with what the model's restatements add to it.

    Rule, source, anchor and severity stay the static ones (severity may be set by the user in
    `checks.severity`). A model explanation is appended unless the static text already says
    it; a model suggestion is taken only when the static finding has none and the model
    anchored exactly the same lines (a suggestion replaces the anchored lines).
    """
    body, suggestion = static.body, static.suggestion
    for extra in extras:
        if _squash(extra.body) not in _squash(body):
            body = f"{body}\n\n**Reviewer's note:** {extra.body.strip()}"
        if suggestion is None and extra.suggestion and _span(extra) == _span(static):
            suggestion = extra.suggestion
    if body == static.body and suggestion == static.suggestion:
        return static
    return static.model_copy(update={"body": body, "suggestion": suggestion})


def _better(a: Finding, b: Finding) -> Finding:
    """Of two duplicates, keep the worse severity; then the one with a suggestion; then longer."""
    key_a = (severity_rank(a.severity), a.suggestion is not None, len(a.body))
    key_b = (severity_rank(b.severity), b.suggestion is not None, len(b.body))
    return b if key_b > key_a else a


def _dedupe_model(model: Sequence[Finding]) -> list[Finding]:
    """Collapse model findings that say the same thing about the same code (parallel requests)."""
    kept: list[Finding] = []
    by_file: dict[tuple[str, str], list[int]] = {}
    for finding in model:
        slots = by_file.setdefault((finding.path, finding.side), [])
        for i in slots:
            other = kept[i]
            if (
                _near(finding, other)
                and finding.category == other.category
                and similar_titles(finding.title, other.title)
            ):
                kept[i] = _better(other, finding)
                break
        else:
            slots.append(len(kept))
            kept.append(finding)
    return kept


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    """Exact duplicates dropped, first occurrence kept."""
    seen: set[Finding] = set()
    out: list[Finding] = []
    for f in findings:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


def merge_findings(static: Sequence[Finding], model: Sequence[Finding]) -> list[Finding]:
    """One finding per problem, worst first.

    Exact duplicates are dropped; model findings that repeat each other are collapsed; a model
    finding that restates a static one is folded into it (the closest one, when several fit).
    Nothing else is dropped: every remaining model finding is kept as it is.
    """
    statics = _unique(static)
    extras: list[list[Finding]] = [[] for _ in statics]
    by_file: dict[tuple[str, str], list[int]] = {}
    for i, s in enumerate(statics):
        by_file.setdefault((s.path, s.side), []).append(i)
    rest: list[Finding] = []
    for finding in _dedupe_model(_unique(model)):
        candidates = by_file.get((finding.path, finding.side), [])
        matches = [i for i in candidates if restates(finding, statics[i])]
        if not matches:
            rest.append(finding)
            continue
        best = min(matches, key=lambda i: abs(_span(statics[i])[1] - _span(finding)[1]))
        extras[best].append(finding)
    merged = [_absorb(s, e) if e else s for s, e in zip(statics, extras, strict=True)]
    return sort_findings(merged + rest)
