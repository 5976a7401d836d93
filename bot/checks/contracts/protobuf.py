"""Protocol Buffers: a small parser for .proto files and the wire- and API-breaking changes
between two versions. Rule ids are buf's breaking rules, in kebab case, prefixed `proto-`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.checks.contracts.changes import Changes, ContractChange
from bot.checks.contracts.tokens import TokenCursor, tokenize
from bot.models import Severity

_TOKEN = re.compile(
    r"(?P<skip>\s+|//[^\n]*|/\*.*?\*/)|(?P<string>\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*')"
    r"|(?P<word>[A-Za-z_.][\w.]*)|(?P<number>-?(?:0[xX][0-9a-fA-F]+|\d+))|(?P<punct>.)",
    re.DOTALL,
)
_LABELS = {"optional", "repeated", "required"}


class ProtoError(ValueError):
    """The text is not a .proto file this parser can read."""


@dataclass
class Field:
    name: str
    number: int
    type: str
    label: str
    line: int
    deprecated: bool = False


@dataclass
class Message:
    name: str
    line: int
    kind: str = "message"  # or "enum"
    fields: dict[int, Field] = field(default_factory=dict)  # enum values: type and label ""
    reserved_numbers: set[int] = field(default_factory=set)
    deprecated: bool = False


@dataclass
class Rpc:
    name: str
    line: int
    request: str
    response: str
    client_streaming: bool
    server_streaming: bool
    deprecated: bool = False


@dataclass
class Service:
    name: str
    line: int
    rpcs: dict[str, Rpc] = field(default_factory=dict)
    deprecated: bool = False


@dataclass
class ProtoFile:
    messages: dict[str, Message] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)


class _Parser(TokenCursor):
    error = ProtoError

    def __init__(self, text: str) -> None:
        super().__init__(tokenize(_TOKEN, text, ProtoError))
        self.out = ProtoFile()

    def skip_statement(self) -> bool:
        """Skip to the end of a statement or a balanced `{...}` block; True when it set
        `deprecated = true` (a field option, an rpc or service option)."""
        depth, seen = 0, []
        while self.peek():
            tok = self.take().value
            seen.append(tok)
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
                if depth <= 0:
                    break
            elif tok == ";" and depth == 0:
                break
        text = " ".join(seen)
        return "deprecated = true" in text

    def file(self) -> ProtoFile:
        while self.peek():
            tok = self.tokens[self.i].value
            if tok in ("message", "enum"):
                self.message("")
            elif tok == "service":
                self.service()
            else:
                self.skip_statement()
        return self.out

    def message(self, prefix: str) -> None:
        kind = self.take().value
        _, name, line = self.take()
        msg = Message(prefix + name, line, kind)
        self.out.messages[msg.name] = msg
        self.take("{")
        while self.before("}"):
            self.member(msg)
        self.take("}")

    def member(self, msg: Message) -> None:
        tok = self.tokens[self.i].value
        if tok in ("message", "enum"):
            self.message(msg.name + ".")
        elif tok == "reserved":
            self.take()
            self.reserved(msg)
        elif tok == "oneof":
            self.take()
            self.take()
            self.take("{")
            while self.before("}"):
                self.member(msg)
            self.take("}")
        elif tok in ("option", "extensions", "extend", ";"):
            msg.deprecated = self.skip_statement() or msg.deprecated
        else:
            self.field(msg)

    def reserved(self, msg: Message) -> None:
        while self.before(";"):
            tok = self.take().value
            if re.fullmatch(r"-?\d+", tok):
                low = int(tok)
                high = low
                if self.peek("to"):
                    self.take("to")
                    end = self.take().value
                    high = low + 10_000 if end == "max" else int(end)
                msg.reserved_numbers.update(range(low, high + 1))
        self.take(";")

    def field(self, msg: Message) -> None:
        _, first, line = self.take()
        if msg.kind == "enum":
            self.take("=")
            number = int(self.take().value, 0)
            msg.fields[number] = Field(first, number, "", "", line)
            msg.fields[number].deprecated = self.skip_statement()
            return
        label = first if first in _LABELS else ""
        ftype = self.take().value if label else first
        if ftype == "map":
            parts = []
            while self.before(">"):
                parts.append(self.take().value)
            self.take(">")
            ftype = "map" + "".join(parts) + ">"
        name = self.take().value
        self.take("=")
        number = int(self.take().value, 0)
        msg.fields[number] = Field(name, number, ftype, label, line)
        msg.fields[number].deprecated = self.skip_statement()

    def service(self) -> None:
        self.take("service")
        _, name, line = self.take()
        svc = Service(name, line)
        self.out.services[name] = svc
        self.take("{")
        while self.before("}"):
            if not self.peek("rpc"):
                svc.deprecated = self.skip_statement() or svc.deprecated
                continue
            self.take("rpc")
            _, rpc_name, rpc_line = self.take()
            client, request = self.rpc_type()
            self.take("returns")
            server, response = self.rpc_type()
            rpc = Rpc(rpc_name, rpc_line, request, response, client, server)
            rpc.deprecated = self.skip_statement()
            svc.rpcs[rpc_name] = rpc
        self.take("}")

    def rpc_type(self) -> tuple[bool, str]:
        self.take("(")
        stream = self.peek("stream")
        if stream:
            self.take("stream")
        name = self.take().value
        self.take(")")
        return stream, name.lstrip(".")


def parse_proto(text: str) -> ProtoFile | None:
    """Messages, enums and services of a .proto file, or None when it cannot be read."""
    try:
        return _Parser(text).file()
    except (ProtoError, ValueError, IndexError):
        return None


def proto_changes(base_text: str, head_text: str) -> list[ContractChange] | None:
    """Breaking changes from one version of a .proto file to the next."""
    base, head = parse_proto(base_text), parse_proto(head_text)
    if base is None or head is None:
        return None
    d = Changes()
    for name, svc in base.services.items():
        new_svc = head.services.get(name)
        if new_svc is None:
            _gone(
                d,
                "proto-service-no-delete",
                f"gRPC service `{name}`",
                f"Every client of `{name}` gets UNIMPLEMENTED; deprecate it "
                "(`option deprecated = true;`) and remove it once traffic has stopped.",
                deprecated=svc.deprecated,
                old_line=svc.line,
            )
            continue
        for rpc in svc.rpcs.values():
            _compare_rpc(d, name, rpc, new_svc)
    for name, msg in base.messages.items():
        new_msg = head.messages.get(name)
        if new_msg is None:
            _gone(
                d,
                f"proto-{msg.kind}-no-delete",
                f"{msg.kind.capitalize()} `{name}`",
                f"Generated code that uses `{name}` stops compiling, and peers still sending it "
                "cannot be decoded into a known type.",
                deprecated=msg.deprecated,
                old_line=msg.line,
                severity="medium",
            )
            continue
        for f in msg.fields.values():
            _compare_field(d, msg, f, new_msg)
    return list(d)


def _gone(
    d: Changes,
    rule: str,
    what: str,
    body: str,
    *,
    deprecated: bool,
    old_line: int,
    new_line: int | None = None,
    severity: Severity = "high",
) -> None:
    """A removal: low once it was deprecated first, else at `severity`."""
    if deprecated:
        d.emit(
            f"{rule}-with-deprecation",
            "low",
            f"Deprecated {what[0].lower()}{what[1:]} removed",
            f"{what} was deprecated and is now removed; check that no client still uses it.",
            old_line=old_line,
            new_line=new_line,
        )
    else:
        d.emit(rule, severity, f"{what} removed", body, old_line=old_line, new_line=new_line)


def _compare_rpc(d: Changes, service: str, rpc: Rpc, new_svc: Service) -> None:
    where = f"{service}.{rpc.name}"
    new = new_svc.rpcs.get(rpc.name)
    if new is None:
        _gone(
            d,
            "proto-rpc-no-delete",
            f"RPC `{where}`",
            f"Clients calling `{where}` get UNIMPLEMENTED. Mark it "
            "`option deprecated = true;` first and remove it once its traffic has stopped.",
            deprecated=rpc.deprecated,
            old_line=rpc.line,
            new_line=new_svc.line,
        )
        return
    for what, old_v, new_v in (
        ("request-type", rpc.request, new.request),
        ("response-type", rpc.response, new.response),
        ("client-streaming", rpc.client_streaming, new.client_streaming),
        ("server-streaming", rpc.server_streaming, new.server_streaming),
    ):
        if old_v != new_v:
            d.emit(
                f"proto-rpc-same-{what}",
                "high",
                f"RPC `{where}` changed its {what.replace('-', ' ')}",
                f"The {what.replace('-', ' ')} of `{where}` changed ({old_v} -> {new_v}); "
                "existing clients send or expect the old shape. Add a new RPC instead.",
                new_line=new.line,
            )


def _compare_field(d: Changes, msg: Message, f: Field, new_msg: Message) -> None:
    noun = "value" if msg.kind == "enum" else "field"
    where = f"{msg.name}.{f.name}"
    new = new_msg.fields.get(f.number)
    if new is None:
        moved = next((g for g in new_msg.fields.values() if g.name == f.name), None)
        if moved is not None:
            d.emit(
                f"proto-{'field' if noun == 'field' else 'enum-value'}-number-changed",
                "high",
                f"`{where}` renumbered {f.number} -> {moved.number}",
                f"`{where}` moved from number {f.number} to {moved.number}. On the wire the "
                "number is the identity: old peers read the data as an unknown field and lose "
                "it. Keep the number; to replace a field, add a new one and reserve the old.",
                new_line=moved.line,
            )
        elif f.number not in new_msg.reserved_numbers:
            rule = "proto-field-no-delete" if noun == "field" else "proto-enum-value-no-delete"
            d.emit(
                rule,
                "high",
                f"{noun.capitalize()} `{where}` = {f.number} removed without reserving it",
                f"`{where}` (number {f.number}) is removed and its number is not reserved, so "
                f"a later change can reuse it and corrupt data from old peers. Add "
                f'`reserved {f.number};` and `reserved "{f.name}";` to `{msg.name}`.',
                old_line=f.line,
                new_line=new_msg.line,
            )
        return
    if noun == "field" and (new.type != f.type or new.label != f.label):
        rule = "proto-field-same-type" if new.type != f.type else "proto-field-same-cardinality"
        was, now = f"{f.label} {f.type}".strip(), f"{new.label} {new.type}".strip()
        d.emit(
            rule,
            "high",
            f"`{where}` changed from {was} to {now}",
            f"Field {f.number} of `{msg.name}` was {was} and is now {now}; peers on the old "
            "schema mis-decode it. Add a new field with a new number instead.",
            new_line=new.line,
        )
    elif new.name != f.name:
        d.emit(
            f"proto-{'field' if noun == 'field' else 'enum-value'}-same-name",
            "medium",
            f"`{where}` renamed to `{new.name}`",
            f"Number {f.number} of `{msg.name}` is now called `{new.name}`. The binary wire "
            "format is unchanged, but JSON (and generated code) use the name: JSON clients "
            "and callers of the generated accessors break.",
            new_line=new.line,
        )
