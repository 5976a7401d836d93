"""Cheap tests that a text can hold a match of a rule at all, run before the rule. Pure.

A gate is a necessary condition of its rule: substrings one of which every match contains, or a
regex that every match implies. Most added lines hold none, so the rule's own regexes (tens of
microseconds a line) run on few lines. Gates are evaluated on a whole file's added text first.

Python's `re` has no multi-string search: an alternation of the ~60 substrings costs ~6 ns a
character at every position (0.3 s for the 4.5 MB of added lines in bench/bench_extract.py).
Here each substring is looked for by its two rarest characters first (`c in text` for one
character is a `memchr`), and a regex gate starts with a literal, which `re` skips to: the
same answers in a fifth of the time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Characters of source code, most common first (counted over this repository's files); any
# other character is rarer than all of these.
_BY_FREQUENCY = (
    ' etrsniao"\nldpcu,fmh._:()g=-ybwvk/E[]xN{}0ATRqS`\\1O|ICL+PD>'
    "FM2'j*HU@4G;3B#z?W65$9KQYVX<^8!7J%Z&~"
)
_RANK = {c: i for i, c in enumerate(_BY_FREQUENCY)}


Needles = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def _grouped(needles: Iterable[str]) -> Needles:
    """The needles by their rarest character, each with its second rarest:
    ((rarest, ((second, needle), ...)), ...)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for needle in sorted(set(needles)):
        rarest = sorted(set(needle), key=lambda c: -_RANK.get(c, len(_RANK)))
        groups.setdefault(rarest[0], []).append((rarest[1] if len(rarest) > 1 else "", needle))
    return tuple((anchor, tuple(group)) for anchor, group in sorted(groups.items()))


@dataclass(frozen=True, slots=True)
class Gate:
    """Passes a text holding one of `exact`, one of `lower` in any case, or a match of a pattern."""

    exact: Needles = ()  # substrings, by their rarest characters
    lower: Needles = ()  # the same, looked for in the lower-cased text
    patterns: tuple[re.Pattern[str], ...] = ()

    def passes(self, text: str, low: str) -> bool:
        """`low` is `text.lower()`, computed once by the caller for all gates."""
        for anchor, needles in self.exact:
            if anchor in text:
                for second, needle in needles:
                    if second in text and needle in text:
                        return True
        for anchor, needles in self.lower:
            if anchor in low:
                for second, needle in needles:
                    if second in low and needle in low:
                        return True
        return any(pattern.search(text) for pattern in self.patterns)


def gate(specs: Iterable[str]) -> Gate:
    """A gate from `AKIA` (a substring), `i:aws` (in any case) and `re:AP[0-9A-F]` (a regex,
    best starting with a literal so that `re` can skip to it)."""
    if isinstance(specs, str):  # one substring per character would pass nearly everything
        raise TypeError("gate() takes a sequence of specs, not one string")
    specs = list(specs)
    return _gate(
        [s for s in specs if not s.startswith(("re:", "i:"))],
        [s[2:].lower() for s in specs if s.startswith("i:")],
        [re.compile(s[3:]) for s in specs if s.startswith("re:")],
    )


def _gate(exact: list[str], lower: list[str], patterns: list[re.Pattern[str]]) -> Gate:
    return Gate(_grouped(exact), _grouped(lower), tuple(dict.fromkeys(patterns)))


def union(gates: Iterable[Gate]) -> Gate:
    """A gate passing what any of `gates` passes, with as few substrings as that needs: one
    that holds another is dropped (`apikey` once `key` is there), and so is an ASCII one whose
    lower case holds a lower-case one (`PRIVATE KEY`: then `key` is in the lower-cased text)."""
    gates = list(gates)
    lower = _minimal({n for g in gates for _, group in g.lower for _, n in group})
    exact = _minimal({n for g in gates for _, group in g.exact for _, n in group})
    exact = [n for n in exact if not (n.isascii() and any(m in n.lower() for m in lower))]
    return _gate(exact, lower, [p for g in gates for p in g.patterns])


def _minimal(needles: set[str]) -> list[str]:
    return [n for n in needles if not any(m != n and m in n for m in needles)]
