"""Checks: query risks in the changed query and API code (not migrations: squawk reads those).

SQL injection, queries inside loops (N+1), unbounded list queries in handlers, and the
hazards of SQL statements in `.sql` files and in string literals. Python is read with `ast`,
other languages with patterns over the new side of each hunk, SQL with sqlglot. Only lines
the change added carry findings.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.checks.queries.common import (
    RULES,
    Hit,
    added_lines,
    has_any,
    hunk_texts,
    language_of,
    new_side_text,
    sql_hits,
)
from bot.checks.queries.lazy_patterns import pattern_relations
from bot.checks.queries.lazy_python import HINTS, scan_relations
from bot.checks.queries.orm_models import (
    ModelIndex,
    add_module,
    extend_from_source,
    worth_indexing,
)
from bot.checks.queries.patterns import scan_patterns
from bot.checks.queries.pyparse import python_trees
from bot.checks.queries.python import python_worth_parsing, scan_python
from bot.config import ChecksConfig
from bot.models import ContentSource, FileDiff, FileReport, Finding


def check(
    files: Sequence[FileDiff],
    reports: Sequence[FileReport],
    config: ChecksConfig,
    *,
    source: ContentSource | None = None,
) -> list[Finding]:
    """Static findings of the query family for the reviewed, non-migration files."""
    by_path = {r.path: r for r in reports}
    index = model_index(
        [f for f in files if "migration" not in getattr(by_path.get(f.path), "categories", ())],
        source,
    )
    relations = pattern_relations(list(files), source)
    diff_paths = frozenset(f.path for f in files)
    out: list[Finding] = []
    for file in files:
        report = by_path.get(file.path)
        if report is None or not report.reviewed or "migration" in report.categories:
            continue
        if report.is_test:
            continue  # fixtures and teardown SQL (`DELETE FROM orders`) are not application queries
        language = language_of(file.path)
        if language is None or file.status == "removed" or file.is_binary:
            continue
        added = added_lines(file)
        if not added:
            continue
        hits = scan_file(
            file,
            language,
            api="api" in report.categories,
            source=source,
            index=index,
            diff_paths=diff_paths,
        )
        hits.extend(relations.get(file.path, []))
        out.extend(_findings(file.path, hits, added))
    return out


def scan_file(
    file: FileDiff,
    language: str,
    *,
    api: bool,
    source: ContentSource | None = None,
    index: ModelIndex | None = None,
    diff_paths: frozenset[str] = frozenset(),
) -> list[Hit]:
    """Every hit in one file, on any new-side line (the caller keeps the added ones)."""
    if language == "sql":
        return _sql_file(file, source)
    if language == "python":
        text = new_side_text(file)
        whole = source is not None and file.status != "added"
        relations = index is not None and (
            _loops_over_queries(text)
            or any(s.path == file.path for s in index.serializers.values())
        )
        if not python_worth_parsing(text, api=api, whole_file=whole) and not relations:
            return []
        trees = python_trees(file, source)
        lines = file.new_text_lines()
        hits = scan_python(trees, api=api, lines=lines, file_text=text, added=added_lines(file))
        if relations and index is not None:
            hits.extend(scan_relations(trees, index, file.path, diff_paths))
        return hits
    return scan_patterns(file, language, api=api)


def _loops_over_queries(text: str) -> bool:
    """Cheap test: a loop and a queryset/statement, or a DRF view with a serializer."""
    return ("for " in text and has_any(text, HINTS)) or "serializer_class" in text


def model_index(files: Sequence[FileDiff], source: ContentSource | None) -> ModelIndex:
    """Models and serializers of the changed Python files and, with a source, their imports."""
    index = ModelIndex()
    parsed = []
    for file in files:
        if file.status == "removed" or file.is_binary or not file.path.endswith(".py"):
            continue
        text = new_side_text(file)
        models = worth_indexing(text)
        if not (models or (source is not None and _loops_over_queries(text))):
            continue
        for tree in python_trees(file, source):
            if models:
                add_module(index, tree, file.path)
            parsed.append((file.path, tree))
    if source is not None and parsed:
        extend_from_source(index, parsed, source, {f.path for f in files})
    return index


def _sql_file(file: FileDiff, source: ContentSource | None) -> list[Hit]:
    """A query file: the whole head text when known, else each hunk with cut statements ignored."""
    text = None
    if file.status == "added" and len(file.hunks) == 1:
        text = "\n".join(ln.text for ln in file.hunks[0].lines if ln.new_no is not None)
    elif source is not None:
        text = source.read(file.path, side="head")
    if text is not None:
        return sql_hits(text, first_line=1, last_line=text.count("\n") + 1, dynamic=False)
    hits: list[Hit] = []
    for first, lines in hunk_texts(file):
        last = first + len(lines) - 1
        for hit in sql_hits("\n".join(lines), first_line=first, last_line=last, dynamic=False):
            span = hit.fallback_lines
            cut_start = bool(span) and span[0] == first and first > 1
            cut_end = bool(span) and span[-1] == last and not lines[-1].rstrip().endswith(";")
            if not (cut_start or cut_end):
                hits.append(hit)
    return hits


def _findings(path: str, hits: list[Hit], added: set[int]) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple[str, int]] = set()
    for hit in hits:
        line = (
            hit.line
            if hit.line in added
            else next((n for n in hit.fallback_lines if n in added), None)
        )
        if line is None or (hit.rule, line) in seen:
            continue
        seen.add((hit.rule, line))
        out.append(make_finding(path, line, hit))
    return out


def make_finding(path: str, line: int, hit: Hit) -> Finding:
    """The finding for a hit: the rule's title, body and severity, plus what was seen."""
    rule = RULES[hit.rule]
    detail = hit.detail if len(hit.detail) <= 100 else hit.detail[:97] + "..."
    body = rule.body.format(fix=hit.fix or "batch the lookups into one query")
    if hit.note:
        body = f"{body}\n\n{hit.note}"
    return Finding(
        path=path,
        line=line,
        severity=hit.severity or rule.severity,
        category=rule.category,
        title=rule.title.format(detail=detail),
        body=body,
        suggestion=hit.suggestion,
        source="static",
        rule=hit.rule,
    )
