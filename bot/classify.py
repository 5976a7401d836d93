"""Decide which changed files are backend code: api, migration, query; and what is skipped.

Pure: path conventions plus content signals visible in the diff text.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence

from bot.config import RepoConfig
from bot.models import BackendKind, FileDiff, FileReport

_SKIP_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"(^|/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|Pipfile\.lock|"
        r"Gemfile\.lock|go\.sum|Cargo\.lock|composer\.lock|uv\.lock)$",
        "lockfile",
    ),
    (r"(^|/)(vendor|node_modules|third_party)/", "vendored code"),
    (r"\.min\.(js|css)$", "minified file"),
    (r"\.(png|jpe?g|gif|svg|ico|webp|pdf|zip|gz|jar|woff2?|ttf)$", "binary or image"),
    (r"\.(md|rst|txt|adoc)$", "documentation"),
)
_MIGRATION_PATH = re.compile(r"(^|/)(migrations?|migrate|db/migrate|alembic/versions)/")
_API_PATH = re.compile(
    r"(^|/)(api|routes?|views?|controllers?|handlers?|resolvers?|serializers?)(/|\.|_)"
)
_QUERY_PATH = re.compile(r"(^|/)(models?|repositor(y|ies)|dao|queries)(/|\.|_)|\.sql$")
_TEST_PATH = re.compile(
    r"(^|/)(tests?|spec|__tests__)/|(^|/)test_[^/]*$|_test\.\w+$|\.(test|spec)\.\w+$"
)


def _match_any(path: str, globs: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(path, g) for g in globs)


def classify_file(file: FileDiff, config: RepoConfig) -> FileReport:
    """Classify one changed file."""
    path = file.path
    is_test = bool(_TEST_PATH.search(path))
    base = FileReport(path=path, status=file.status, old_path=file.old_path, is_test=is_test)
    if config.exclude and _match_any(path, config.exclude):
        return _with(base, skip="excluded by configuration")
    if config.include and not _match_any(path, config.include):
        return _with(base, skip="not matched by configuration include")
    for pattern, reason in _SKIP_PATTERNS:
        if re.search(pattern, path, re.IGNORECASE):
            return _with(base, skip=reason)
    if file.is_binary:
        return _with(base, skip="binary file")
    cats: dict[BackendKind, str] = {}
    for kind in ("api", "migration", "query"):
        if _match_any(path, getattr(config.paths, kind)):
            cats[kind] = f"matched configured {kind} glob"
    if _MIGRATION_PATH.search(path):
        cats.setdefault("migration", "under a migrations directory")
    if not is_test and _API_PATH.search(path):
        cats.setdefault("api", "API path convention")
    if _QUERY_PATH.search(path):
        cats.setdefault("query", "database access path convention")
    order: tuple[BackendKind, ...] = ("api", "migration", "query")
    kinds = tuple(k for k in order if k in cats)
    return _with(base, kinds=kinds, reasons=tuple(cats[k] for k in kinds))


def _with(
    base: FileReport,
    *,
    kinds: tuple[BackendKind, ...] = (),
    reasons: tuple[str, ...] = (),
    skip: str | None = None,
) -> FileReport:
    if not kinds and skip is None:
        skip = "not backend code"
    return FileReport(
        path=base.path,
        status=base.status,
        old_path=base.old_path,
        is_test=base.is_test,
        categories=kinds,
        reasons=reasons,
        skip_reason=skip,
    )


def classify_files(files: Sequence[FileDiff], config: RepoConfig) -> list[FileReport]:
    """Classify every changed file, in diff order."""
    return [classify_file(f, config) for f in files]
