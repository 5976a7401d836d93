"""Tokens and a token cursor shared by the hand-written schema parsers (GraphQL SDL, .proto).

Both read a schema as a flat list of tokens with line numbers and walk it with the same
peek/take/before steps; each parser brings its own token pattern and error type.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple


class Token(NamedTuple):
    kind: str  # the name of the pattern's group that matched
    value: str
    line: int  # 1-based


def tokenize(pattern: re.Pattern[str], text: str, error: type[ValueError]) -> list[Token]:
    """Every token of `text` but those of the `skip` group; `error` where no group matches."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = pattern.match(text, pos)
        if m is None:
            raise error(f"unexpected character at line {bisect.bisect(starts, pos)}")
        kind = m.lastgroup or "skip"
        if kind != "skip":
            tokens.append(Token(kind, m.group(), bisect.bisect(starts, pos)))
        pos = m.end()
    return tokens


class TokenCursor:
    """Reads tokens front to back; running out of input raises `error`, never loops."""

    error: type[ValueError] = ValueError

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self, value: str | None = None) -> bool:
        if self.i >= len(self.tokens):
            return False
        return value is None or self.tokens[self.i].value == value

    def before(self, close: str) -> bool:
        """True until `close` is next; the end of the input is an error, never a loop."""
        if not self.peek():
            raise self.error(f"unexpected end of input, expected {close}")
        return not self.peek(close)

    def take(self, value: str | None = None) -> Token:
        if not self.peek(value):
            raise self.error(f"expected {value or 'more input'}")
        self.i += 1
        return self.tokens[self.i - 1]
