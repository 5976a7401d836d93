"""Specs split over several files: which changed file a finding belongs to, and which spec to
compare when only a referenced file changed.

A change inside a file reached by `$ref` is commented on that file when it is part of the
diff, else on the spec. When a PR changes only `schemas/order.yaml`, the spec that refers to
it is looked for next to it and up to three folders above under the usual names, with a
bound on how many files are read.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Literal

from bot.checks.contracts.changes import ContractChange, to_findings
from bot.checks.contracts.openapi.lines import spec_changes
from bot.checks.contracts.openapi.refs import Reader
from bot.checks.contracts.openapi.spec import looks_like_spec
from bot.checks.contracts.versions import Versions, file_versions
from bot.models import ContentSource, FileDiff, Finding

Side = Literal["base", "head"]

ROOT_NAMES = ("openapi.yaml", "openapi.yml", "openapi.json", "swagger.yaml", "swagger.json")
MAX_ROOT_READS = 12  # candidate spec files read per review
MAX_FRAGMENTS = 4  # changed fragments whose spec is looked for
_LEVELS = 4  # the fragment's folder and three above
_SCHEMA_HINT = re.compile(
    r"""["']?(\$ref|type|properties|required|enum|oneOf|anyOf|allOf|items|format)["']?\s*:"""
)


def route(
    file: FileDiff, changes: Sequence[ContractChange], by_path: Mapping[str, FileDiff]
) -> list[Finding]:
    """Findings for a spec's changes, each on the changed file it sits in."""
    groups: dict[str, list[ContractChange]] = {}
    for change in changes:
        target = change.path if change.path in by_path else file.path
        placed = change
        if change.path is not None and target == file.path:
            # In a file outside the diff: its lines mean nothing here; anchor on the spec.
            placed = replace(change, new_line=None, old_line=None, new_parents=(), path=None)
        groups.setdefault(target or file.path, []).append(placed)
    return [f for path, group in groups.items() for f in to_findings(by_path[path], group)]


def is_fragment(file: FileDiff, head_text: str) -> bool:
    """A changed YAML/JSON file that is not a spec but holds schema-like content."""
    return (
        file.path.endswith((".yaml", ".yml", ".json"))
        and not looks_like_spec(head_text)
        and bool(_SCHEMA_HINT.search(head_text))
    )


def find_roots(
    fragments: Sequence[str], skip: set[str], read_head: Reader
) -> list[tuple[str, str]]:
    """(path, head text) of the specs found next to or above the changed fragments, reading
    at most `MAX_ROOT_READS` candidates; specs in `skip` (compared anyway) are not read."""
    found: list[tuple[str, str]] = []
    tried: set[str] = set(skip)
    reads = 0
    for fragment in fragments[:MAX_FRAGMENTS]:
        folder = posixpath.dirname(fragment)
        for _ in range(_LEVELS):
            for name in ROOT_NAMES:
                candidate = posixpath.join(folder, name) if folder else name
                if candidate in tried:
                    continue
                tried.add(candidate)
                if reads >= MAX_ROOT_READS:
                    return found
                reads += 1
                text = read_head(candidate)
                if text is not None and looks_like_spec(text):
                    found.append((candidate, text))
            if not folder:
                break
            folder = posixpath.dirname(folder)
    return found


class _Revision:
    """Files at one revision for `$ref` resolution: changed files from the diff (or the
    source), others from the source; read once each."""

    def __init__(
        self, by_path: Mapping[str, FileDiff], source: ContentSource | None, side: Side
    ) -> None:
        self.by_path, self.source, self.side = by_path, source, side
        self.cache: dict[str, str | None] = {}

    def __call__(self, path: str) -> str | None:
        if path not in self.cache:
            self.cache[path] = self._read(path)
        return self.cache[path]

    def _read(self, path: str) -> str | None:
        file = self.by_path.get(path)
        if file is not None and file.status != "removed":
            versions = file_versions(file, self.source)
            if versions is not None:
                text = versions[0] if self.side == "base" else versions[1]
                return None if self.side == "base" and file.status == "added" else text
        if self.source is None:
            return None
        return self.source.read(path, side=self.side)


def _compare(
    path: str, versions: Versions, revisions: tuple[_Revision, _Revision]
) -> list[ContractChange] | None:
    base, head = versions
    if not looks_like_spec(head) or (base and not looks_like_spec(base)):
        return None
    if not base:
        return []  # a new spec: nothing existed for clients to depend on
    try:
        return spec_changes(base, head, path=path, read_base=revisions[0], read_head=revisions[1])
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError):
        return None  # a document of an unexpected shape: no finding rather than a failed review


def compare_specs(
    specs: Sequence[FileDiff], changed: Sequence[FileDiff], source: ContentSource | None
) -> list[Finding]:
    """Findings for the changed specs, and for specs whose referenced files changed."""
    by_path = {f.path: f for f in changed}
    revisions = (_Revision(by_path, source, "base"), _Revision(by_path, source, "head"))
    found: list[Finding] = []
    for file in specs:
        versions = file_versions(file, source)
        changes = _compare(file.path, versions, revisions) if versions else None
        found.extend(route(file, changes or [], by_path))
    if source is None:
        return found  # a spec that is not in the diff cannot be read
    spec_paths = {f.path for f in specs}
    fragments = [
        f.path
        for f in changed
        if f.path not in spec_paths and f.status != "added" and _fragment(f, revisions[1])
    ]
    if not fragments:
        return found
    for root, head in find_roots(fragments, spec_paths, revisions[1]):
        base = revisions[0](root)
        changes = _compare(root, (base, head), revisions) if base else None
        inside = [c for c in changes or [] if c.path in fragments]
        found.extend(route(by_path[inside[0].path or ""], inside, by_path) if inside else [])
    return found


def _fragment(file: FileDiff, read_head: Reader) -> bool:
    """Schema content changed in a YAML/JSON file that is not itself a spec (read only when
    the changed lines look like schema)."""
    if not file.path.endswith((".yaml", ".yml", ".json")):
        return False
    changed = "\n".join(ln.text for h in file.hunks for ln in h.lines if ln.kind != " ")
    if file.hunks and not _SCHEMA_HINT.search(changed):
        return False
    text = read_head(file.path)
    return text is not None and is_fragment(file, text)
