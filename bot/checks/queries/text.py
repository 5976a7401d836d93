"""The new side of a hunk as one text, and the string literals in it, for pattern scanners.

Non-Python languages are read with patterns, not parsers: each hunk's new-side text (added
and context lines) is scanned as a whole so that multi-line calls and literals are seen, and
offsets are mapped back to new-file line numbers.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from bot.checks.queries.common import PLACEHOLDER, hunk_texts
from bot.models import FileDiff


@dataclass(frozen=True)
class HunkText:
    """A hunk's new-side text; offsets map to file lines."""

    first: int
    text: str
    starts: tuple[int, ...]

    def line_at(self, offset: int) -> int:
        return self.first + bisect.bisect_right(self.starts, offset) - 1

    @property
    def last(self) -> int:
        return self.first + len(self.starts) - 1


def hunks_of(file: FileDiff) -> list[HunkText]:
    out: list[HunkText] = []
    for first, lines in hunk_texts(file):
        starts, pos = [], 0
        for line in lines:
            starts.append(pos)
            pos += len(line) + 1
        out.append(HunkText(first, "\n".join(lines), tuple(starts)))
    return out


def matching(text: str, start: int, *, limit: int = 20_000) -> int:
    """The offset after the bracket that closes the one at `start` (or the end of the text).

    Strings and `//` comments are skipped roughly: enough for call arguments and loop bodies.
    """
    pairs = {"(": ")", "{": "}", "[": "]"}
    stack = [pairs[text[start]]]
    i, end = start + 1, min(len(text), start + limit)
    while i < end and stack:
        ch = text[i]
        if ch in "\"'`":
            j = i + 1
            while j < end and text[j] != ch and (ch == "`" or text[j] != "\n"):
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if ch == "/" and text.startswith("//", i):
            nl = text.find("\n", i)
            i = end if nl < 0 else nl
            continue
        if ch in pairs:
            stack.append(pairs[ch])
        elif ch == stack[-1]:
            stack.pop()
        i += 1
    return i


@dataclass(frozen=True)
class Literal:
    """A string literal (or a run of them joined by `+`), with interpolations as placeholders."""

    start: int  # offset of the first character of its content
    end: int  # offset after the closing quote
    text: str
    dynamic: bool
    open: int = -1  # offset of the opening quote (or heredoc marker)
    raw: str = ""  # the source text of the literal(s), interpolations included


_DQ = r'"(?:[^"\\\n]|\\.)*"'
_SQ = r"'(?:[^'\\\n]|\\.)*'"
_BT = r"`(?:[^`\\]|\\.)*`"
_TRIPLE = r'"""[\s\S]*?"""'
_LINE_COMMENT = r"//[^\n]*"
_BLOCK_COMMENT = r"/\*[\s\S]*?\*/"
_HASH_COMMENT = r"#(?!\{)[^\n]*"
_RUBY_HEREDOC = r"<<[~-]?(['\"]?)([A-Z_][A-Z0-9_]*)\1[^\n]*\n(?:[\s\S]*?)^[ \t]*\2\b"
_PHP_HEREDOC = r"<<<[ \t]*(['\"]?)([A-Z_][A-Z0-9_]*)\1\n(?:[\s\S]*?)^[ \t]*\2\b"
_CS_VERBATIM = r'\$?@\$?"(?:[^"]|"")*"'
_CS_INTERP = r'\$"(?:[^"\\\n]|\\.)*"'

_TOKENS: dict[str, re.Pattern[str]] = {
    "js": re.compile("|".join((_LINE_COMMENT, _BLOCK_COMMENT, _BT, _DQ, _SQ))),
    "go": re.compile("|".join((_LINE_COMMENT, _BLOCK_COMMENT, _BT, _DQ))),
    "java": re.compile("|".join((_LINE_COMMENT, _BLOCK_COMMENT, _TRIPLE, _DQ))),
    "csharp": re.compile(
        "|".join((_LINE_COMMENT, _BLOCK_COMMENT, _TRIPLE, _CS_VERBATIM, _CS_INTERP, _DQ))
    ),
    "php": re.compile(
        "|".join((_LINE_COMMENT, _BLOCK_COMMENT, _HASH_COMMENT, _PHP_HEREDOC, _DQ, _SQ)), re.M
    ),
    "ruby": re.compile("|".join((_HASH_COMMENT, _RUBY_HEREDOC, _DQ, _SQ)), re.M),
}
_INTERPOLATION: dict[str, re.Pattern[str]] = {
    "`": re.compile(r"\$\{[^}]*\}"),
    "ruby": re.compile(r"#\{[^}]*\}"),
    "php": re.compile(r"\{\$[^}]*\}|\$\w+(?:->\w+|\[[^\]]*\])*"),
    "cs": re.compile(r"(?<!\{)\{[^{}]*\}(?!\})"),
    "kt": re.compile(r"\$\{[^}]*\}|\$[A-Za-z_]\w*"),
    "fmt": re.compile(r"%[-+ #0-9.]*[svdqxXfgeT]"),
}
_FORMAT_CALL = re.compile(r"(Sprintf|String\.format|format|printf)\s*\(\s*$")


def literals(hunk: HunkText, language: str, *, kotlin: bool = False) -> list[Literal]:
    """The string literals of a hunk's text, with `+` (or PHP `.`) runs of literals joined."""
    pattern = _TOKENS.get(language)
    if pattern is None:
        return []
    text = hunk.text
    found: list[Literal] = []
    for m in pattern.finditer(text):
        raw = m.group(0)
        if raw.startswith(("//", "/*", "#")):
            continue
        lit = _content(raw, m.start(), language, kotlin=kotlin)
        if lit is None:
            continue
        body, dynamic = lit.text, lit.dynamic
        if _FORMAT_CALL.search(text[max(0, m.start() - 40) : m.start()]):
            body, n = _INTERPOLATION["fmt"].subn(lambda _m: PLACEHOLDER.format(1), body)
            dynamic = dynamic or n > 0
        found.append(Literal(lit.start, m.end(), body, dynamic, m.start(), raw))
    return _join_runs(found, text, language)


def _content(raw: str, offset: int, language: str, *, kotlin: bool) -> Literal | None:
    """Strip the quotes and replace interpolations; `start` is the content's offset."""
    if raw.startswith("<<"):
        nl = raw.find("\n")
        body = raw[nl + 1 : raw.rstrip().rfind("\n") + 1]
        quoted = raw[2:nl].lstrip("<~-").startswith("'")
        kind = "" if quoted else ("php" if language == "php" else "ruby")
        return _interpolate(body, offset + nl + 1, kind)
    if raw.startswith('"""'):
        return _interpolate(raw[3:-3], offset + 3, "kt" if kotlin else "")
    if language == "csharp" and raw.startswith(("$", "@")):
        prefix = len(raw) - len(raw.lstrip("$@"))
        return _interpolate(
            raw[prefix + 1 : -1], offset + prefix + 1, "cs" if "$" in raw[:2] else ""
        )
    quote = raw[0]
    kind = ""
    if quote == "`" and language == "js":
        kind = "`"
    elif quote == '"' and language in ("ruby", "php"):
        kind = language
    elif quote == '"' and kotlin:
        kind = "kt"
    return _interpolate(raw[1:-1], offset + 1, kind)


def _interpolate(body: str, start: int, kind: str) -> Literal:
    pattern = _INTERPOLATION.get(kind)
    if pattern is None:
        return Literal(start, start + len(body), body, False)
    counter = iter(range(1, 10_000))
    new, n = pattern.subn(lambda _m: PLACEHOLDER.format(next(counter)), body)
    # keep line breaks where the interpolations had them, so lines still map
    return Literal(start, start + len(body), new, n > 0)


_JOIN = {"php": re.compile(r"\s*\.\s*"), "ruby": re.compile(r"\s*\+\s*|\s*\\\s*\n\s*")}
_PLUS = re.compile(r"\s*\+\s*")
_DYNAMIC_NEIGHBOUR = re.compile(r"^\s*(\+|\.(?=\s*\$))\s*[\w$(]|[\w)\]]\s*(\+|\.)\s*$")


def _join_runs(found: list[Literal], text: str, language: str) -> list[Literal]:
    joiner = _JOIN.get(language, _PLUS)
    out: list[Literal] = []
    for lit in found:
        prev = out[-1] if out else None
        gap = text[prev.end : lit.start - 1] if prev else ""
        if prev is not None and joiner.fullmatch(gap):
            sep = "\n" * gap.count("\n")
            text_ = prev.text + sep + lit.text
            raw = text[prev.open : lit.end]
            out[-1] = Literal(
                prev.start, lit.end, text_, prev.dynamic or lit.dynamic, prev.open, raw
            )
        else:
            out.append(lit)
    result: list[Literal] = []
    for lit in out:
        before = text[max(0, lit.start - 40) : lit.start - 1]
        after = text[lit.end : lit.end + 40]
        neighbour = bool(_DYNAMIC_NEIGHBOUR.search(after.split("\n")[0])) or bool(
            _DYNAMIC_NEIGHBOUR.search(before.split("\n")[-1])
        )
        dynamic = lit.dynamic or neighbour
        result.append(Literal(lit.start, lit.end, lit.text, dynamic, lit.open, lit.raw))
    return result
