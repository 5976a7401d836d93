"""Decide which changed files are backend code (api, migration, query), and what is skipped.

Pure. Path conventions come first (bot.classify.rules); content signals from the diff's text
(bot.classify.signals) add categories, name the framework, and decide files whose path says
nothing (`src/server.ts` with `router.get(`). Only the first lines of the visible text are
scanned, and each signal costs a set lookup unless one of its tokens is present.

Decisions, in order:
1. configuration `exclude`, then `include` (globs, see bot.globs);
2. binaries and images; unless a configured category glob names the file: lockfiles,
   vendored, generated (by name, or by a `DO NOT EDIT`/`@generated` header), minified, docs;
3. categories: configured globs, path rules, content signals; migrations are never skipped
   as generated (Prisma, Django and EF Core write headers into the migrations they generate);
4. tests keep `is_test=True`, no categories (never `api`), no skip reason when they touch
   backend code (the reason says what they exercise); other tests are "not backend code".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.classify.formats import FORMAT_SIGNALS
from bot.classify.rules import (
    DOCS_DIR,
    GENERATED_HEADER,
    GENERIC_MIGRATION,
    is_test_path,
    language_of,
    path_rules,
    skip_by_path,
)
from bot.classify.signals import CODE_SIGNALS, Signal
from bot.config import RepoConfig
from bot.globs import GlobSet
from bot.models import BACKEND_KINDS, BackendKind, FileDiff, FileReport

SCAN_LINES = 300  # content signals look at this many visible lines per file
HEADER_LINES = 5  # a generated-code header must sit in the first lines of the file
MINIFIED_LINE = 1000  # a JavaScript or CSS line longer than this is minified
_ORDER: tuple[BackendKind, ...] = ("api", "migration", "query")
_MINIFIABLE = re.compile(r"\.(?:[cm]?js|css)$")
_SPEC_REASONS = ("OpenAPI", "AsyncAPI", "API specification", "GraphQL SDL", "protobuf")
SIGNALS: dict[str, tuple[Signal, ...]] = {**CODE_SIGNALS, **FORMAT_SIGNALS}
NOT_BACKEND = "not backend code"
# bytes.translate table that blanks everything but identifier characters: splitting the result
# gives a file's identifier tokens at C speed (a regex findall costs four times as much).
_WORD_BYTES = bytes(
    c if c >= 128 or chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(256)
)
_SPEC_DIR = re.compile(r"(^|/)spec/")  # RSpec mirrors app/: spec/models/x_spec.rb
# What turns a file name into its test's name: users.spec.ts, test_views.py, UserTest.java.
_TEST_MARKER = re.compile(
    r"[._-](?:test|spec|e2e-spec)(?=\.[^./]+$)|(?:(?<=/)|^)test_(?=[^/]+\.py$)"
    r"|(?:Tests?|IT)(?=\.(?:java|kt|cs|php)$)"
)
_OVERRIDABLE = frozenset(
    (
        "lockfile",
        "vendored code",
        "generated code",
        "generated migration metadata",
        "minified or built file",
        "documentation",
    )
)


@dataclass(frozen=True, slots=True)
class _Globs:
    include: GlobSet
    exclude: GlobSet
    kinds: tuple[tuple[BackendKind, GlobSet], ...]


@lru_cache(maxsize=64)
def _compile(
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    kinds: tuple[tuple[BackendKind, tuple[str, ...]], ...],
) -> _Globs:
    return _Globs(GlobSet(include), GlobSet(exclude), tuple((k, GlobSet(g)) for k, g in kinds if g))


def _globs(config: RepoConfig) -> _Globs:
    """The configuration's globs, compiled once per distinct configuration."""
    paths = config.paths
    kinds: tuple[tuple[BackendKind, tuple[str, ...]], ...] = (
        ("api", tuple(paths.api)),
        ("migration", tuple(paths.migration)),
        ("query", tuple(paths.query)),
    )
    return _compile(tuple(config.include), tuple(config.exclude), kinds)


def _visible(file: FileDiff, limit: int) -> list[str]:
    """The file's text as the diff shows it: added and context lines (removed for a deletion)."""
    hide = "+" if file.status == "removed" else "-"
    out: list[str] = []
    for hunk in file.hunks:
        out += [line[3] for line in hunk.lines if line[0] != hide]
        if len(out) >= limit:
            return out[:limit]
    return out


def _header(file: FileDiff) -> list[str]:
    """The first lines of the file, when the diff shows them."""
    if not file.hunks:
        return []
    removed = file.status == "removed"
    first = file.hunks[0]
    out: list[str] = []
    for line in first.lines:
        number = line.old_no if removed else line.new_no
        if number is not None:
            if number > HEADER_LINES:
                break
            out.append(line.text)
    return out


def _index(table: tuple[Signal, ...]) -> tuple[frozenset[bytes], dict[bytes, tuple[int, ...]]]:
    """All keys of a language's signals, and key -> positions of the signals that use it."""
    index: dict[bytes, list[int]] = {}
    for i, sig in enumerate(table):
        for key in sig.keys:
            index.setdefault(key, []).append(i)
    return frozenset(index), {k: tuple(v) for k, v in index.items()}


_KEYS = {lang: _index(table) for lang, table in SIGNALS.items()}


def _signals(lang: str, text: str, *, decided: bool) -> dict[str, str]:
    """Signal kind -> reason of the first signal of that kind that fires in `text`."""
    table = SIGNALS.get(lang)
    if not table or not text:
        return {}
    keys, index = _KEYS[lang]
    present = keys.intersection(text.encode("utf-8", "ignore").translate(_WORD_BYTES).split())
    candidates = sorted({i for key in present for i in index[key]})
    found: dict[str, str] = {}
    for i in candidates:
        sig = table[i]
        if sig.kind in found or (decided and sig.undecided_only):
            continue
        if sig.pattern.search(text):
            found[sig.kind] = sig.reason
    return found


def _path_hits(paths: Iterable[str], lang: str) -> dict[BackendKind, tuple[str, bool]]:
    """Kind -> (reason, strong) from the path rules of the file (and its old path)."""
    hits: dict[BackendKind, tuple[str, bool]] = {}
    for path in paths:
        for rule in path_rules(lang, path):
            if rule.pattern.search(path):
                old = hits.get(rule.kind)
                if old is None or (rule.strong and not old[1]):
                    hits[rule.kind] = (rule.reason, rule.strong)
    return hits


def _report(
    file: FileDiff,
    *,
    is_test: bool,
    cats: dict[BackendKind, str] | None = None,
    skip: str | None = None,
    reasons: tuple[str, ...] = (),
) -> FileReport:
    cats = cats or {}
    kinds = tuple(k for k in _ORDER if k in cats)
    return FileReport(
        path=file.path,
        status=file.status,
        old_path=file.old_path,
        is_test=is_test,
        categories=kinds,
        reasons=reasons or tuple(cats[k] for k in kinds),
        skip_reason=skip,
    )


def _test_report(file: FileDiff, cats: dict[BackendKind, str], found: dict[str, str]) -> FileReport:
    """Tests are reported, never categorised: reviewers see them, checks do not run on them."""
    reasons = [f"test of {k} code ({cats[k]})" for k in _ORDER if k in cats]
    if "apitest" in found:
        reasons = [f"API test: {found['apitest']}", *reasons[1 if "api" in cats else 0 :]]
    if not reasons:
        return _report(file, is_test=True, skip=NOT_BACKEND)
    return _report(file, is_test=True, reasons=tuple(reasons))


def classify_file(file: FileDiff, config: RepoConfig) -> FileReport:
    """Classify one changed file: categories with reasons, test flag, or why it is skipped."""
    return _classify(file, _globs(config))


def _config_skip(path: str, globs: _Globs) -> str | None:
    if glob := globs.exclude.first_match(path):
        return f"excluded by configuration ({glob})"
    if globs.include and globs.include.first_match(path) is None:
        return "not matched by the configured include globs"
    return None


def _forced(path: str, globs: _Globs) -> dict[BackendKind, str]:
    """Categories the configuration's `paths.*` globs give the file."""
    forced: dict[BackendKind, str] = {}
    for kind, kind_globs in globs.kinds:
        if glob := kind_globs.first_match(path):
            forced[kind] = f"matches configured paths.{kind} glob {glob}"
    return forced


def _content_skip(file: FileDiff, lines: list[str], *, migration: bool) -> str | None:
    """Generated or minified, as the file's own text says."""
    if not migration and any(GENERATED_HEADER.search(line) for line in _header(file)):
        return "generated code"
    if _MINIFIABLE.search(file.path) and any(len(ln) > MINIFIED_LINE for ln in lines):
        return "minified or built file"
    return None


def _classify(file: FileDiff, globs: _Globs) -> FileReport:
    path = file.path
    lang = language_of(path)
    is_test = is_test_path(path, lang)
    forced = _forced(path, globs)
    skip = _config_skip(path, globs) or skip_by_path(path, binary=file.is_binary)
    if skip in _OVERRIDABLE and forced:
        skip = None  # a configured category glob beats the built-in skips, except binaries
    if skip:
        return _report(file, is_test=is_test, skip=skip)
    names = [path] if file.old_path is None else [path, file.old_path]
    if is_test:
        subject = _TEST_MARKER.sub("", path)  # users.controller.spec.ts: a controller test
        names += [subject, _SPEC_DIR.sub(r"\1app/", subject)] if lang == "ruby" else [subject]
    hits = _path_hits(names, lang)
    lines = _visible(file, SCAN_LINES) if lang in SIGNALS or _MINIFIABLE.search(path) else []
    if not forced and (skip := _content_skip(file, lines, migration="migration" in hits)):
        return _report(file, is_test=is_test, skip=skip)
    decided = any(strong for _, strong in hits.values())
    found = _signals(lang, "\n".join(lines), decided=decided)
    cats = _combine(hits, found, frontend=_is_frontend(path, found))
    cats.update(forced)
    if lang == "sql" and "migration" in cats and not hits.get("query", ("", True))[1]:
        cats.pop("query", None)  # DDL outside a queries folder is a schema change, not a query
    if is_test:
        return _test_report(file, cats, found)
    if not forced and DOCS_DIR.search(path) and not _is_spec(cats):
        return _report(file, is_test=False, skip="documentation")
    return _report(file, is_test=False, cats=cats, skip=None if cats else NOT_BACKEND)


def _is_frontend(path: str, found: dict[str, str]) -> bool:
    return "frontend" in found or path.endswith((".tsx", ".jsx"))


def _combine(
    hits: dict[BackendKind, tuple[str, bool]], found: dict[str, str], *, frontend: bool
) -> dict[BackendKind, str]:
    """Strong path reasons win; content names the framework where the path rule was weak.

    A weak path rule alone counts unless the content shows browser or client code.
    """
    cats: dict[BackendKind, str] = {}
    migration = hits.get("migration")
    if migration is not None and migration[1]:
        # A migration's column definitions and SQL are the migration, not query code.
        cats = {k: reason for k, (reason, strong) in hits.items() if strong}
        if cats["migration"] == GENERIC_MIGRATION and "migration" in found:
            cats["migration"] = found["migration"]  # name the tool: Knex, goose, ...
        return cats
    for kind in BACKEND_KINDS:
        path_hit = hits.get(kind)
        if path_hit is not None and path_hit[1]:
            cats[kind] = _merge(path_hit[0], found.get(kind))
        elif kind in found:
            cats[kind] = found[kind]
        elif path_hit is not None and not frontend and not (kind == "query" and "nodb" in found):
            cats[kind] = path_hit[0]
    return cats


def _merge(path_reason: str, content_reason: str | None) -> str:
    """A strong path reason, plus the framework the content names when it adds something."""
    if content_reason is None or content_reason.split()[0] in path_reason:
        return path_reason
    return f"{path_reason} ({content_reason})"


def _is_spec(cats: dict[BackendKind, str]) -> bool:
    return any(r.startswith(_SPEC_REASONS) for r in cats.values())


def classify_files(files: Sequence[FileDiff], config: RepoConfig) -> list[FileReport]:
    """Classify every changed file, in diff order."""
    globs = _globs(config)
    return [_classify(f, globs) for f in files]
