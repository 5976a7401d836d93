"""GraphQL SDL: a small hand-written parser for schema documents, so the bot needs no GraphQL
library. It reads type system definitions only and gives up (None) on documents that are
client operations or that it cannot read. The comparison lives in bot.checks.contracts.graphql.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.checks.contracts.tokens import TokenCursor, tokenize

# Alternatives never overlap (a backslash is only ever an escape), so an unterminated
# string fails in linear time instead of backtracking through every split.
_TOKEN = re.compile(
    r'(?P<skip>[\s,\ufeff]+|#[^\n]*)|(?P<block>"""(?:[^"\\]|\\.|"(?!""))*""")'
    r'|(?P<string>"(?:\\.|[^"\\\n])*")|(?P<name>[_A-Za-z][_0-9A-Za-z]*)'
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<punct>\.\.\.|[!$&()\[\]{}:=@|])",
    re.DOTALL,
)
_EXECUTABLE = {"query", "mutation", "subscription", "fragment"}
_TYPE_KINDS = {"type", "interface", "input", "enum", "union", "scalar"}


class SdlError(ValueError):
    """The text is not a schema document this parser can read."""


@dataclass
class Arg:
    name: str
    type: str
    line: int
    has_default: bool = False
    deprecated: bool = False


@dataclass
class Field:
    name: str
    type: str
    line: int
    args: dict[str, Arg] = field(default_factory=dict)
    deprecated: bool = False


@dataclass
class TypeDef:
    kind: str
    name: str
    line: int
    fields: dict[str, Field] = field(default_factory=dict)  # also input fields and enum values
    members: set[str] = field(default_factory=set)  # union members, implemented interfaces


class _Parser(TokenCursor):
    error = SdlError

    def __init__(self, text: str) -> None:
        super().__init__(tokenize(_TOKEN, text, SdlError))
        self.types: dict[str, TypeDef] = {}

    def name(self) -> tuple[str, int]:
        kind, value, line = self.take()
        if kind != "name":
            raise SdlError(f"expected a name at line {line}, got {value!r}")
        return value, line

    def skip_descriptions(self) -> None:
        while self.peek() and self.tokens[self.i].kind in ("string", "block"):
            self.i += 1

    def skip_value(self) -> None:
        _, value, _ = self.take()
        if value == "$":
            self.name()
        elif value in "[{":
            close = "]" if value == "[" else "}"
            while self.before(close):
                if value == "{":
                    self.name()
                    self.take(":")
                self.skip_value()
            self.take(close)

    def directives(self) -> bool:
        """Skip directives; True when one of them is @deprecated."""
        deprecated = False
        while self.peek("@"):
            self.take("@")
            name, _ = self.name()
            deprecated = deprecated or name == "deprecated"
            if self.peek("("):
                self.take("(")
                while not self.peek(")"):
                    self.name()
                    self.take(":")
                    self.skip_value()
                self.take(")")
        return deprecated

    def type_ref(self) -> str:
        if self.peek("["):
            self.take("[")
            inner = f"[{self.type_ref()}]"
            self.take("]")
        else:
            inner = self.name()[0]
        if self.peek("!"):
            self.take("!")
            return inner + "!"
        return inner

    def args(self) -> dict[str, Arg]:
        out: dict[str, Arg] = {}
        if not self.peek("("):
            return out
        self.take("(")
        while not self.peek(")"):
            self.skip_descriptions()
            name, line = self.name()
            self.take(":")
            arg = Arg(name, self.type_ref(), line)
            if self.peek("="):
                self.take("=")
                self.skip_value()
                arg.has_default = True
            arg.deprecated = self.directives()
            out[name] = arg
        self.take(")")
        return out

    def fields(self, t: TypeDef) -> None:
        if not self.peek("{"):
            return
        self.take("{")
        while self.before("}"):
            self.skip_descriptions()
            name, line = self.name()
            if t.kind == "enum":
                t.fields[name] = Field(name, "", line, deprecated=self.directives())
                continue
            args = self.args()
            self.take(":")
            f = Field(name, self.type_ref(), line, args)
            if self.peek("="):  # input field default
                self.take("=")
                self.skip_value()
                f.args["="] = Arg("=", "", line, has_default=True)
            f.deprecated = self.directives()
            t.fields[name] = f
        self.take("}")

    def definition(self) -> None:
        self.skip_descriptions()
        word, line = self.name()
        extend = word == "extend"
        if extend:
            word, line = self.name()
        if word in _EXECUTABLE:
            raise SdlError("client operations, not a schema")
        if word == "schema":
            self.directives()
            self.take("{")
            while self.before("}"):
                self.take()
            self.take("}")
            return
        if word == "directive":
            self._skip_directive_definition()
            return
        if word not in _TYPE_KINDS:
            raise SdlError(f"unknown definition {word!r} at line {line}")
        name, line = self.name()
        t = self.types.get(name) if extend else None
        if t is None:
            t = self.types.setdefault(name, TypeDef(word, name, line))
        self._type_body(t)

    def _type_body(self, t: TypeDef) -> None:
        if self.peek("implements"):
            self.take("implements")
            while self.peek("&") or self._more_names():
                if self.peek("&"):
                    self.take("&")
                t.members.add(self.name()[0])
        self.directives()
        if t.kind == "union" and self.peek("="):
            self.take("=")
            while self.peek("|") or self._more_names():
                if self.peek("|"):
                    self.take("|")
                t.members.add(self.name()[0])
                if not self.peek("|"):
                    break
            return
        self.fields(t)

    def _more_names(self) -> bool:
        """The next token continues a list of names (not the next definition's keyword)."""
        if not self.peek() or self.tokens[self.i].kind != "name":
            return False
        return self.tokens[self.i].value not in (*_TYPE_KINDS, "extend", "schema", "directive")

    def _skip_directive_definition(self) -> None:
        self.take("@")
        self.name()
        self.args()
        if self.peek("repeatable"):
            self.take("repeatable")
        self.take("on")
        if self.peek("|"):
            self.take("|")
        self.name()
        while self.peek("|"):
            self.take("|")
            self.name()

    def document(self) -> dict[str, TypeDef]:
        while self.peek():
            if self.peek("{"):
                raise SdlError("client operations, not a schema")
            self.definition()
        return self.types


def parse_sdl(text: str) -> dict[str, TypeDef] | None:
    """Type name -> definition, or None when the text is not a readable schema document."""
    try:
        return _Parser(text).document()
    except (SdlError, IndexError, RecursionError):
        return None
