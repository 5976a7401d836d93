"""Path globs for the configuration file: `**` crosses directories, `*` and `?` do not.

fnmatch lets `*` match `/`, so `src/*.py` would also pick `src/a/b.py`; the configuration
uses gitignore-like globs instead, compiled once into one regular expression per list.

- `*` matches within one path segment, `?` one character of it, `[abc]`/`[!abc]` a class;
- `**` matches any number of segments (`a/**/b`, `**/x.py`, `dir/**`);
- a glob without a `/` matches the file name at any depth (`*.sql`, `schema.rb`);
- a glob with a `/` is anchored at the repository root (a leading `/` is allowed);
- a glob also matches everything under a directory it names (`legacy` or `legacy/`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["GlobSet", "glob_to_regex", "match_glob"]


def _class(glob: str, start: int) -> tuple[str, int] | None:
    """Translate a `[...]` class starting at `start`; None when it is not closed."""
    end = glob.find("]", start + 2 if glob[start + 1 : start + 2] in ("!", "^") else start + 1)
    if end < 0:
        return None
    body = glob[start + 1 : end]
    if body[:1] in ("!", "^"):
        body = "^" + body[1:]
    body = body.replace("\\", "\\\\")
    return f"[{body}]", end + 1


def glob_to_regex(glob: str) -> str:
    """The regular expression (for `fullmatch`) of one configuration glob."""
    g = glob.strip()
    anchored = "/" in g.rstrip("/")
    g = g.lstrip("/")
    if g.endswith("/"):
        g += "**"
    out: list[str] = []
    i = 0
    while i < len(g):
        c = g[i]
        if g.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif g.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and (cls := _class(g, i)) is not None:
            out.append(cls[0])
            i = cls[1]
        else:
            out.append(re.escape(c))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return f"{prefix}{''.join(out)}(?:/.*)?"


class GlobSet:
    """A list of globs compiled into one pattern that also says which glob matched."""

    __slots__ = ("_globs", "_pattern")

    def __init__(self, globs: Iterable[str]) -> None:
        self._globs = tuple(g for g in globs if g.strip())
        if self._globs:
            parts = (f"(?P<g{i}>{glob_to_regex(g)})" for i, g in enumerate(self._globs))
            self._pattern: re.Pattern[str] | None = re.compile("|".join(parts), re.DOTALL)
        else:
            self._pattern = None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def first_match(self, path: str) -> str | None:
        """The first glob (as written) that matches `path`, or None."""
        if self._pattern is None:
            return None
        m = self._pattern.fullmatch(path)
        if m is None or m.lastgroup is None:
            return None
        return self._globs[int(m.lastgroup[1:])]


@lru_cache(maxsize=256)
def _single(glob: str) -> re.Pattern[str]:
    return re.compile(glob_to_regex(glob), re.DOTALL)


def match_glob(glob: str, path: str) -> bool:
    """Whether one glob matches a repository path (e.g. for `path_instructions`)."""
    return _single(glob).fullmatch(path) is not None
