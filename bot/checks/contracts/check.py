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
from bot.checks.contracts.openapi.lines import spec_changes
from bot.checks.contracts.openapi.spec import looks_like_spec
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
_MIN_CONTEXT = 3  # git's default; trailing context shorter than this means the file ended

Versions = tuple[str, str]


def diff_versions(file: FileDiff, *, allow_cut_tail: bool = False) -> Versions | None:
    """(old text, new text) rebuilt from the diff when its hunks cover the whole file.

    With `allow_cut_tail`, hunks that run from line 1 without gaps are enough even when the
    diff may stop before the end: whatever follows the last context line is unchanged, so it
    is missing from both versions alike and cannot show up as a removal.
    """
    if file.status == "added":
        new = [ln.text for h in file.hunks for ln in h.lines if ln.kind != "-"]
        return "", "\n".join(new) + "\n"
    if not file.hunks or file.hunks[0].old_start > 1 or file.hunks[0].new_start > 1:
        return None
    expected = 1
    for h in file.hunks:
        if max(h.old_start, 1) != expected:
            return None
        expected = h.old_start + h.old_length
    if not allow_cut_tail and not _reaches_end(file):
        return None
    old = [ln.text for h in file.hunks for ln in h.lines if ln.kind != "+"]
    new = [ln.text for h in file.hunks for ln in h.lines if ln.kind != "-"]
    return "\n".join(old) + "\n", "\n".join(new) + "\n"


def _reaches_end(file: FileDiff) -> bool:
    """True when the last hunk provably ends at the end of the file.

    The first hunk starts at line 1, so its leading context is every line before the first
    change and the context size is at least that; trailing context shorter than the context
    size (or than git's default of 3) means the file ran out.
    """
    trailing = 0
    for ln in reversed(file.hunks[-1].lines):
        if ln.kind != " ":
            break
        trailing += 1
    leading = 0
    for ln in file.hunks[0].lines:
        if ln.kind != " ":
            break
        leading += 1
    return trailing < _MIN_CONTEXT or trailing < leading


def file_versions(file: FileDiff, source: ContentSource | None) -> Versions | None:
    """Both versions of a changed file: from a whole-file diff, else from the source, else
    from a diff that covers the file from its first line, else None."""
    if file.status == "removed" or file.is_binary:
        return None
    whole = None if file.patch_missing else diff_versions(file)
    if whole is not None:
        return whole
    if source is not None:
        head = source.read(file.path, side="head")
        if head is not None:
            if file.status == "added":
                return "", head
            return source.read(file.old_path or file.path, side="base") or "", head
    return None if file.patch_missing else diff_versions(file, allow_cut_tail=True)


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


def _openapi(file: FileDiff, versions: Versions) -> list[ContractChange] | None:
    base, head = versions
    if not looks_like_spec(head) or (base and not looks_like_spec(base)):
        return None
    if not base:
        return []  # a new spec: nothing existed for clients to depend on
    return spec_changes(base, head)


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
            found.extend(_compare_file(file, source, _openapi))
        elif _maybe_graphql(file, text):
            found.extend(_compare_file(file, source, _graphql))
    found.extend(routes.check_routes([f for f in files if f.path not in tests]))
    return found
