"""GraphQL SDL: the breaking changes between two schema documents.

Documents are read by bot.checks.contracts.graphql_parse (re-exported here, so `parse_sdl` and the
definition types stay importable from this module); this module holds the rules.
"""

from __future__ import annotations

from bot.checks.contracts.changes import Changes, ContractChange
from bot.checks.contracts.graphql_parse import Arg, Field, SdlError, TypeDef, parse_sdl

__all__ = ["Arg", "Field", "SdlError", "TypeDef", "parse_sdl", "sdl_changes"]


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
