"""API contract checks: OpenAPI/Swagger specs, GraphQL SDL, protobuf, and code-first routes.

Specs and schemas are compared as whole documents, base against head: taken from the diff when
its hunks carry the whole file (`git diff -U<large>`, added files), else read through the
ContentSource, else skipped. Route changes are read from the diff lines alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.checks.contracts import graphql, protobuf, routes
from bot.checks.contracts.changes import ContractChange, to_findings
from bot.checks.contracts.multifile import compare_specs
from bot.checks.contracts.versions import Versions, diff_versions, file_versions
from bot.config import ChecksConfig
from bot.models import ContentSource, FileDiff, FileReport, Finding

_SPEC_EXT = re.compile(r"\.(ya?ml|json)$", re.IGNORECASE)
_SPEC_NAME = re.compile(r"(openapi|swagger|api[-_.]?spec|oas)[^/]*$", re.IGNORECASE)
_SPEC_HINT = re.compile(
    r"""^\s*["']?(openapi|swagger|paths|operationId|requestBody|responses)["']?\s*:"""
    r"""|["']#/(components|definitions)/""",
    re.MULTILINE,
)
# Changed lines that cannot change the contract: documentation keys, comments, blank lines.
_DOC_ONLY = re.compile(
    r"""^\s*(#.*|["']?(description|summary|title|version|example|externalDocs|termsOfService)"""
    r"""["']?\s*:.*|)$"""
)
_GRAPHQL_EXT = re.compile(r"\.(graphqls?|gql)$", re.IGNORECASE)
_GRAPHQL_HINT = re.compile(
    r"^\s*(extend\s+)?(type|schema|input|interface)\s+\w*\s*\{", re.MULTILINE
)
_TEXT_EXTS = (".yaml", ".yml", ".json", ".graphql", ".graphqls", ".gql", ".sdl", ".schema", ".txt")
__all__ = ["check", "diff_versions", "file_versions"]


def _diff_text(file: FileDiff) -> str:
    return "\n".join(ln.text for h in file.hunks for ln in h.lines)


def _maybe_spec(file: FileDiff, text: str) -> bool:
    if not _SPEC_EXT.search(file.path):
        return False
    return bool(_SPEC_NAME.search(file.path) or _SPEC_HINT.search(text))


def _maybe_graphql(file: FileDiff, text: str) -> bool:
    if _GRAPHQL_EXT.search(file.path):
        return True
    return file.path.endswith((".sdl", ".schema", ".txt")) and bool(_GRAPHQL_HINT.search(text))


def _doc_only(file: FileDiff) -> bool:
    """Every changed line is documentation: nothing to compare (and no spec to parse)."""
    changed = (ln.text for h in file.hunks for ln in h.lines if ln.kind != " ")
    return all(_DOC_ONLY.match(text) for text in changed)


def _graphql(file: FileDiff, versions: Versions) -> list[ContractChange] | None:
    base, head = versions
    if not base:
        return []
    return graphql.sdl_changes(base, head)


def _proto(file: FileDiff, versions: Versions) -> list[ContractChange] | None:
    base, head = versions
    return protobuf.proto_changes(base, head) if base else []


def _compare_file(
    file: FileDiff,
    source: ContentSource | None,
    compare: Callable[[FileDiff, Versions], list[ContractChange] | None],
) -> list[Finding]:
    versions = file_versions(file, source)
    if versions is None:
        return []
    try:
        changes = compare(file, versions)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError):
        return []  # a document of an unexpected shape: no finding rather than a failed review
    return to_findings(file, changes or [])


def check(
    files: Sequence[FileDiff],
    reports: Sequence[FileReport],
    config: ChecksConfig,
    *,
    source: ContentSource | None = None,
) -> list[Finding]:
    """Breaking API contract changes in the changed specs, schemas and route code."""
    del config  # rule switches and severities are applied by the dispatcher
    tests = {r.path for r in reports if r.is_test}  # fixtures and test clients are no contract
    found: list[Finding] = []
    specs: list[FileDiff] = []
    for file in files:
        if file.is_binary or file.status == "removed" or file.path in tests:
            continue
        if file.path.endswith(".proto"):
            found.extend(_compare_file(file, source, _proto))
            continue
        if not file.path.endswith(_TEXT_EXTS):
            continue
        text = _diff_text(file)
        if _maybe_spec(file, text):
            if file.hunks and _doc_only(file):
                continue
            specs.append(file)
        elif _maybe_graphql(file, text):
            found.extend(_compare_file(file, source, _graphql))
    kept = [f for f in files if f.path not in tests and not f.is_binary]
    found.extend(compare_specs(specs, kept, source))
    found.extend(routes.check_routes([f for f in files if f.path not in tests]))
    return found
