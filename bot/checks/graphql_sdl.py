"""GraphQL SDL: a small parser for schema documents and the breaking changes between two.

Hand-written so the bot needs no GraphQL library; it reads type system definitions only and
gives up (None) on documents that are client operations or that it cannot read.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from bot.checks.openapi_changes import Changes, ContractChange

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


class _Parser:
    def __init__(self, text: str) -> None:
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                raise SdlError(f"unexpected character at line {bisect.bisect(starts, pos)}")
            kind = m.lastgroup or "skip"
            if kind != "skip":
                self.tokens.append((kind, m.group(), bisect.bisect(starts, pos)))
            pos = m.end()
        self.i = 0
        self.types: dict[str, TypeDef] = {}

    def peek(self, value: str | None = None) -> bool:
        if self.i >= len(self.tokens):
            return False
        return value is None or self.tokens[self.i][1] == value

    def before(self, close: str) -> bool:
        """True until `close` is next; the end of the input is an error, never a loop."""
        if not self.peek():
            raise SdlError(f"unexpected end of input, expected {close}")
        return not self.peek(close)

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        if not self.peek(value):
            raise SdlError(f"expected {value or 'more input'}")
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def name(self) -> tuple[str, int]:
        kind, value, line = self.take()
        if kind != "name":
            raise SdlError(f"expected a name at line {line}, got {value!r}")
        return value, line

    def skip_descriptions(self) -> None:
        while self.peek() and self.tokens[self.i][0] in ("string", "block"):
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
        if not self.peek() or self.tokens[self.i][0] != "name":
            return False
        return self.tokens[self.i][1] not in (*_TYPE_KINDS, "extend", "schema", "directive")

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


def _compatible(old: str, new: str, *, output: bool) -> bool:
    """A value of type `old` still works as `new`: outputs may only gain `!`, inputs lose it."""
    old_nn, new_nn = old.endswith("!"), new.endswith("!")
    if (output and old_nn and not new_nn) or (not output and new_nn and not old_nn):
        return False
    old, new = old.removesuffix("!"), new.removesuffix("!")
    if old.startswith("[") and new.startswith("["):
        return _compatible(old[1:-1], new[1:-1], output=output)
    return old == new


def sdl_changes(base_text: str, head_text: str) -> list[ContractChange] | None:
    """Breaking changes from one schema document to the next; None when either is unreadable."""
    base, head = parse_sdl(base_text), parse_sdl(head_text)
    if base is None or head is None:
        return None
    d = Changes()
    for name, old in base.items():
        new = head.get(name)
        if new is None:
            d.emit(
                "graphql-type-removed",
                "high",
                f"GraphQL type `{name}` removed",
                f"The {old.kind} `{name}` is gone from the schema. Queries and fragments that "
                "name it stop validating; keep it (deprecate its fields) until clients move.",
                old_line=old.line,
            )
        elif new.kind != old.kind:
            d.emit(
                "graphql-type-kind-changed",
                "high",
                f"GraphQL type `{name}` changed from {old.kind} to {new.kind}",
                f"`{name}` is now an {new.kind}, not an {old.kind}; "
                "operations written against it no longer validate.",
                new_line=new.line,
            )
        else:
            _compare_type(d, old, new)
    return list(d)


def _compare_type(d: Changes, old: TypeDef, new: TypeDef) -> None:
    for member in sorted(old.members - new.members):
        what = "union member" if old.kind == "union" else "implemented interface"
        d.emit(
            "graphql-union-member-removed" if old.kind == "union" else "graphql-interface-removed",
            "high",
            f"`{old.name}` lost the {what} `{member}`",
            f"`{member}` is no longer a {what} of `{old.name}`; fragments such as "
            f"`... on {member}` in client operations stop matching or validating.",
            new_line=new.line,
        )
    for name, f in old.fields.items():
        g = new.fields.get(name)
        if g is None:
            _removed_field(d, old, f, new.line)
        elif old.kind == "input":
            _compare_input_field(d, old.name, f, g)
        elif old.kind in ("type", "interface"):
            _compare_field(d, old.name, f, g)
    if old.kind == "input":
        for name, g in new.fields.items():
            if name not in old.fields and g.type.endswith("!") and "=" not in g.args:
                d.emit(
                    "graphql-required-input-field-added",
                    "high",
                    f"New required input field `{old.name}.{name}`",
                    f"`{old.name}.{name}: {g.type}` is required and has no default; every "
                    "client that builds this input today omits it and will get a validation "
                    "error. Make it nullable or give it a default.",
                    new_line=g.line,
                )


_FIELD_RULES = {
    "enum": ("graphql-enum-value-removed", "enum value"),
    "input": ("graphql-input-field-removed", "input field"),
}


def _removed_field(d: Changes, t: TypeDef, f: Field, parent_line: int) -> None:
    rule, noun = _FIELD_RULES.get(t.kind, ("graphql-field-removed", "field"))
    if f.deprecated:
        d.emit(
            f"{rule}-with-deprecation",
            "low",
            f"Deprecated {noun} `{t.name}.{f.name}` removed",
            f"`{t.name}.{f.name}` was marked @deprecated and is now removed; check that "
            "clients have stopped using it (field usage metrics) before this ships.",
            old_line=f.line,
            new_line=parent_line,
        )
        return
    d.emit(
        rule,
        "high",
        f"{noun.capitalize()} `{t.name}.{f.name}` removed without deprecation",
        f"`{t.name}.{f.name}` is removed and was not marked @deprecated first. Client "
        "operations that use it stop validating. Mark it `@deprecated(reason: ...)`, wait "
        "for usage to drop, then remove it.",
        old_line=f.line,
        new_line=parent_line,
    )


def _compare_field(d: Changes, type_name: str, f: Field, g: Field) -> None:
    where = f"{type_name}.{f.name}"
    if not _compatible(f.type, g.type, output=True):
        d.emit(
            "graphql-field-type-changed",
            "high",
            f"`{where}` changed type from {f.type} to {g.type}",
            f"`{where}` returned {f.type} and now returns {g.type}. Clients that read it "
            "(generated types, null handling) will break; add a new field instead.",
            new_line=g.line,
        )
    for name, a in f.args.items():
        b = g.args.get(name)
        if b is None:
            d.emit(
                "graphql-argument-removed" + ("-with-deprecation" if a.deprecated else ""),
                "low" if a.deprecated else "high",
                f"Argument `{name}` of `{where}` removed",
                f"Operations that pass `{name}` to `{where}` stop validating; deprecate the "
                "argument and keep accepting it until clients have moved.",
                old_line=a.line,
                new_line=g.line,
            )
        else:
            _compare_input(d, f"argument `{name}` of `{where}`", a, b, "argument")
    for name, b in g.args.items():
        if name not in f.args and b.type.endswith("!") and not b.has_default:
            d.emit(
                "graphql-required-argument-added",
                "high",
                f"New required argument `{name}` on `{where}`",
                f"`{where}` now requires `{name}: {b.type}` with no default; every existing "
                "operation omits it and will fail validation. Make it nullable or add a "
                "default.",
                new_line=b.line,
            )


def _compare_input_field(d: Changes, type_name: str, f: Field, g: Field) -> None:
    old = Arg(f.name, f.type, f.line, has_default="=" in f.args)
    new = Arg(g.name, g.type, g.line, has_default="=" in g.args)
    _compare_input(d, f"input field `{type_name}.{f.name}`", old, new, "input-field")


def _compare_input(d: Changes, what: str, a: Arg, b: Arg, noun: str) -> None:
    """An argument or input field: may it still receive what clients send today?"""
    if _compatible(a.type, b.type, output=False):
        return
    if _compatible(a.type + "!", b.type, output=False) and not a.type.endswith("!"):
        if b.has_default:
            return  # a default fills in for clients that omit it
        d.emit(
            f"graphql-{noun}-became-required",
            "high",
            f"The {what} became required",
            f"The {what} changed from {a.type} to {b.type} without a default; clients that "
            "omit it or send null will fail validation. Keep it nullable or add a default.",
            new_line=b.line,
        )
        return
    d.emit(
        f"graphql-{noun}-type-changed",
        "high",
        f"The {what} changed type from {a.type} to {b.type}",
        f"The {what} was {a.type} and is now {b.type}; operations that pass the old type "
        "stop validating.",
        new_line=b.line,
    )
