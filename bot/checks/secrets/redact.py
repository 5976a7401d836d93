"""Replace credentials by `[REDACTED <kind>]` before any text goes to the model. Pure.

Line for line: a line keeps its place, so line numbers and anchors do not move. Values found
elsewhere in the change (`known`) are replaced wherever they appear again, even where no rule
would recognise them (a key assigned in one file and passed bare in another).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.checks.secrets.detect import Secret, scan_lines
from bot.models import Finding

MIN_KNOWN = 8  # shorter known values are not replaced blindly everywhere


def placeholder(kind: str) -> str:
    return f"[REDACTED {kind}]"


def _apply(line: str, secrets: Sequence[Secret]) -> str:
    for secret in sorted(secrets, key=lambda s: s.start, reverse=True):
        line = line[: secret.start] + placeholder(secret.kind) + line[secret.end :]
    return line


def _replace_known(line: str, known: Sequence[tuple[str, str]]) -> str:
    for value, kind in known:
        if value in line:
            line = line.replace(value, placeholder(kind))
    return line


def redact_lines(
    lines: Sequence[str], path: str | None = None, *, known: Mapping[str, str] | None = None
) -> list[str]:
    """The lines with every credential (and every `known` value -> kind) replaced."""
    ordered = sorted(
        ((v, k) for v, k in (known or {}).items() if len(v) >= MIN_KNOWN),
        key=lambda item: -len(item[0]),
    )
    return [
        _replace_known(_apply(line, secrets), ordered)
        for line, secrets in zip(lines, scan_lines(lines, path), strict=True)
    ]


def redact_text(text: str, *, known: Mapping[str, str] | None = None) -> str:
    """A whole text (a message, a finding's body) with every credential replaced."""
    return "\n".join(redact_lines(text.split("\n"), None, known=known))


class Redactor:
    """The function the prompt builder calls on every text, knowing the change's secrets."""

    def __init__(self, known: Mapping[str, str] | None = None) -> None:
        self.known = dict(known or {})

    def __call__(self, lines: Sequence[str], path: str | None) -> list[str]:
        return redact_lines(lines, path, known=self.known)


def scrub_finding(finding: Finding, known: Mapping[str, str]) -> Finding:
    """The finding with no credential in its text. A suggestion that holds one, or a
    placeholder (the model only saw those), is left out: applied, it would break the code."""
    title = redact_text(finding.title, known=known)
    body = redact_text(finding.body, known=known)
    suggestion = finding.suggestion
    if suggestion is not None and (
        "[REDACTED " in suggestion or redact_text(suggestion, known=known) != suggestion
    ):
        suggestion = None
    if (title, body, suggestion) == (finding.title, finding.body, finding.suggestion):
        return finding
    return finding.model_copy(update={"title": title, "body": body, "suggestion": suggestion})
