"""What a schema comparison carries along: both documents, where it is, what it found.

Shared by the modules that compare one aspect of a schema (values, composition, keywords),
so none of them imports another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from bot.checks.contracts.openapi.spec import Doc, SpecChange
from bot.models import Severity

Kind = Literal["param", "request", "response"]


@dataclass
class SchemaDiff:
    """Comparison state for one pair of documents: output, and schema pairs already compared."""

    base: Doc
    head: Doc
    today: date = field(default_factory=date.today)  # sunset dates are judged against it
    out: list[SpecChange] = field(default_factory=list)
    seen: set[tuple[Kind, int, int]] = field(default_factory=set)
    budget: int = 20_000  # schema pairs compared at most: a hostile spec cannot stall a review

    def emit(self, rule: str, severity: Severity, title: str, body: str, **where: Any) -> None:
        self.out.append(SpecChange(rule, severity, title, body, **where))


@dataclass(frozen=True)
class At:
    """Where a schema comparison is: which operation, which property path, which direction."""

    kind: Kind
    where: str  # "GET /orders, response 200"
    label: str  # property path, or the parameter name / "body"
    root: bool = True
    read_only: bool = False  # a readOnly request property: clients never send it
    write_only: bool = False  # a writeOnly response property: servers never return it

    def sub(self, label: str) -> At:
        return At(self.kind, self.where, label, False, self.read_only, self.write_only)


def rule(kind: Kind, root: bool, what: str) -> str:
    """oasdiff's id for `what` at this place: request-parameter-/request-body-/
    request-property-/response-body-/response-property-`what`."""
    if kind == "param":
        return f"request-parameter-{what}"
    side = "request" if kind == "request" else "response"
    return f"{side}-{'body' if root else 'property'}-{what}"


def noun(at: At) -> str:
    if at.kind == "param":
        return "request parameter"
    side = "request" if at.kind == "request" else "response"
    return f"{side} {'body' if at.root else 'property'}"


def raw(doc: Doc, ptr: tuple[Any, ...]) -> dict[str, Any]:
    node = doc.at(ptr)
    return node if isinstance(node, dict) else {}
