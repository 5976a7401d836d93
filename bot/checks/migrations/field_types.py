"""What a Django `AlterField` does to the column, from the field's old and new definitions.

Field classes map to the PostgreSQL types Django gives them; a change is a rewrite unless
PostgreSQL treats it as metadata only (varchar(n) to a larger n or to text, numeric with more
digits and the same scale).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from bot.checks.migrations.pyast import VOLATILE_SQL, call_name, is_const, keyword

_VARCHAR_DEFAULTS = {
    "CharField": None,
    "SlugField": 50,
    "EmailField": 254,
    "URLField": 200,
    "FileField": 100,
    "ImageField": 100,
    "FilePathField": 100,
    "CICharField": None,
}
_TYPES = {
    "TextField": "text",
    "IntegerField": "integer",
    "PositiveIntegerField": "integer",
    "AutoField": "integer",
    "BigIntegerField": "bigint",
    "PositiveBigIntegerField": "bigint",
    "BigAutoField": "bigint",
    "SmallIntegerField": "smallint",
    "PositiveSmallIntegerField": "smallint",
    "SmallAutoField": "smallint",
    "BooleanField": "boolean",
    "NullBooleanField": "boolean",
    "DateTimeField": "timestamp with time zone",
    "DateField": "date",
    "TimeField": "time",
    "FloatField": "double precision",
    "UUIDField": "uuid",
    "JSONField": "jsonb",
    "BinaryField": "bytea",
    "DurationField": "interval",
    "GenericIPAddressField": "inet",
    "IPAddressField": "inet",
}
_VOLATILE_DJANGO = re.compile(r"\b(?:RandomUUID|Random|UUID4|UUID7)\s*\(")
_RELATIONS = frozenset({"ForeignKey", "OneToOneField"})


@dataclass(frozen=True, slots=True)
class Change:
    rule: str
    detail: str
    hint: bool = False  # the column type cannot be told: an info hint, not a warning


def _int(node: ast.expr | None) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    return None


def column_type(field: ast.Call) -> str | None:
    """The PostgreSQL type of a field's column, or None when it cannot be told statically."""
    kind = call_name(field)
    if kind in _VARCHAR_DEFAULTS:
        length = _int(keyword(field, "max_length"))
        length = length if length is not None else _VARCHAR_DEFAULTS[kind]
        return f"varchar({length})" if length is not None else "varchar"
    if kind == "DecimalField":
        digits, places = _int(keyword(field, "max_digits")), _int(keyword(field, "decimal_places"))
        return f"numeric({digits},{places})" if digits is not None else None
    if kind in _RELATIONS:
        return "relation"  # the referenced key's type; a target change is not read here
    return _TYPES.get(kind)


def _rewrites(old: str, new: str) -> bool:
    if old == new:
        return False
    if old.startswith("varchar"):
        if new in {"text", "varchar"}:
            return False
        if new.startswith("varchar(") and old != "varchar":
            return int(new[8:-1]) < int(old[8:-1])
        return True
    if old.startswith("numeric(") and new.startswith("numeric("):
        (od, os_), (nd, ns) = (tuple(t[8:-1].split(",")) for t in (old, new))
        return os_ != ns or int(nd) < int(od)
    return True


def volatile_default(node: ast.expr | None) -> bool:
    """`db_default=` with a volatile value (RandomUUID(), Random(), raw gen_random_uuid())."""
    if node is None:
        return False
    text = ast.unparse(node)
    return bool(VOLATILE_SQL.search(text + "(") or _VOLATILE_DJANGO.search(text))


def changes(old: ast.Call, new: ast.Call) -> list[Change]:
    """The hazards of going from the old field definition to the new one."""
    out: list[Change] = []
    old_type, new_type = column_type(old), column_type(new)
    if old_type and new_type and _rewrites(old_type, new_type):
        what = (
            "narrows the column"
            if old_type.startswith("varchar(") and new_type.startswith("varchar(")
            else "changes the column type"
        )
        out.append(Change("changing-column-type", f"{what} from {old_type} to {new_type}"))
    elif (old_type is None or new_type is None) and call_name(old) != call_name(new):
        what = f"changes `{call_name(old)}` to `{call_name(new)}`; if the column type changes"
        out.append(Change("changing-column-type", f"{what}, the table is rewritten", hint=True))
    old_null = is_const(keyword(old, "null"), True)
    new_null = is_const(keyword(new, "null"), True)
    if old_null and not new_null:
        out.append(Change("adding-not-nullable-field", "makes a nullable column NOT NULL"))
    elif new_null and not old_null:
        out.append(Change("ban-drop-not-null", "drops NOT NULL from the column"))
    if is_const(keyword(new, "unique"), True) and not is_const(keyword(old, "unique"), True):
        if call_name(new) != "OneToOneField":
            out.append(Change("disallowed-unique-constraint", "adds `unique=True`"))
    elif (
        is_const(keyword(new, "db_index"), True)
        and not is_const(keyword(old, "db_index"), True)
        and call_name(new) not in _RELATIONS
    ):
        out.append(Change("require-concurrent-index-creation", "adds `db_index=True`"))
    return out
