"""Python syntax trees for the changed parts of a file, even when the diff shows only fragments.

A hunk usually starts in the middle of a function, so its text alone is not a module. The
whole head file is used when a content source has it; otherwise each hunk is parsed, and a
hunk that does not parse is split at its least-indented lines into statements that do. Line
numbers in the trees are the new file's, and columns are untouched (fragments are wrapped in
an `async def`, never dedented), so a suggestion can edit the original line.
"""

from __future__ import annotations

import ast
import re
import warnings

from bot.checks.queries.common import hunk_texts
from bot.models import ContentSource, FileDiff

# Parsing attempts per hunk before giving up on its remaining fragments.
_MAX_ATTEMPTS = 32
_CONTINUATION = re.compile(r"\s*(elif\b|else\b|except\b|finally\b|case\b)")
_CLOSER = re.compile(r"\s*[)\]}]")


def _parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in PR code are not our error
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def python_trees(file: FileDiff, source: ContentSource | None) -> list[ast.Module]:
    """Trees that cover the changed lines, with the new file's line numbers."""
    new_lines = file.new_text_lines()
    if not new_lines:
        return []
    head = _head_text(file, source, new_lines)
    if head is not None:
        tree = _parse(head)
        if tree is not None:
            return [tree]
    last = max(new_lines)
    whole = "\n".join(new_lines.get(i, "") for i in range(1, last + 1))
    tree = _parse(whole)
    if tree is not None:
        return [tree]
    trees: list[ast.Module] = []
    for first, lines in hunk_texts(file):
        budget = [_MAX_ATTEMPTS]
        trees.extend(_fragments(list(enumerate(lines, start=first)), budget))
    return trees


def _head_text(
    file: FileDiff, source: ContentSource | None, new_lines: dict[int, str]
) -> str | None:
    """The head file when it is available and agrees with the diff (a stale source is useless)."""
    if source is None or file.status == "added":
        return None
    text = source.read(file.path, side="head")
    if text is None:
        return None
    lines = text.splitlines()
    for no, line in new_lines.items():
        if no > len(lines) or lines[no - 1] != line:
            return None
    return text


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _wrap(lines: list[tuple[int, str]]) -> str:
    """Source text whose line numbers and columns match the file's for these lines."""
    first = lines[0][0]
    body = [text for _, text in lines]
    if _CONTINUATION.match(body[0]):
        indent = _indent(body[0])
        body[0] = " " * indent + "if True:"
    header: list[str] = [""] * (first - 1)
    if min((_indent(t) for t in body if t.strip()), default=0) > 0:
        if first < 2:
            return "\n".join(body)
        header[-1] = "async def _fragment_():"
    return "\n".join(header + body) + "\n"


def _fragments(lines: list[tuple[int, str]], budget: list[int]) -> list[ast.Module]:
    """Parse `lines`, or split them into smaller statements that parse."""
    while lines and not lines[0][1].strip():
        lines = lines[1:]
    if not lines or budget[0] <= 0:
        return []
    budget[0] -= 1
    tree = _parse(_wrap(lines))
    if tree is not None:
        return [tree]
    if len(lines) == 1:
        return []
    pieces = _split(lines)
    if len(pieces) == 1:
        return _fragments(lines[1:], budget)  # a header whose body is cut: parse the body alone
    if len(pieces) > 2:
        # A hunk is usually cut at its edges only: try the middle in one piece first.
        middle = [ln for piece in pieces[1:-1] for ln in piece]
        budget[0] -= 1
        tree = _parse(_wrap(middle))
        if tree is not None:
            head, tail = _fragments(pieces[0], budget), _fragments(pieces[-1], budget)
            return [*head, tree, *tail]
    out: list[ast.Module] = []
    for piece in pieces:
        out.extend(_fragments(piece, budget))
    return out


def _split(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Cut before each line at the smallest indentation (siblings), keeping decorators attached."""
    texts = [t for _, t in lines if t.strip() and not _CLOSER.match(t)]
    low = min((_indent(t) for t in texts), default=0)
    pieces: list[list[tuple[int, str]]] = [[]]
    for no, text in lines:
        starts = text.strip() and _indent(text) == low and not _CLOSER.match(text)
        previous = pieces[-1]
        after_decorator = bool(previous) and previous[-1][1].lstrip().startswith("@")
        if starts and previous and not after_decorator:
            pieces.append([])
        pieces[-1].append((no, text))
    return [p for p in pieces if p]
