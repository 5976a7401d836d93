"""Reading route code from a diff: quoted paths, and statements that continue over lines."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

from bot.models import DiffLine

QUOTED = r"""[rbuf]*(?P<q>['"`])(?P<path>[^'"`]*)(?P=q)"""  # a quoted path; Python prefixes too
KIND, TEXT = itemgetter(0), itemgetter(3)  # DiffLine.kind, .text, read at C speed


def is_open(text: str) -> bool:
    return text.count("(") > text.count(")") or text.count("[") > text.count("]")


def statement(lines: Sequence[DiffLine], i: int) -> tuple[str, list[DiffLine]]:
    """The line joined with the lines its call continues on (`lines` is one side's view)."""
    taken = [lines[i]]
    text = lines[i].text
    while is_open(text) and i + len(taken) < len(lines) and len(taken) < 8:
        taken.append(lines[i + len(taken)])
        text += " " + taken[-1].text.strip()
    return text, taken
