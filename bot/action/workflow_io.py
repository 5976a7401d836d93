"""GitHub Actions' file and log protocols: job summary, step outputs, notices.

https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from bot.errors import BadInputError


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def notice(message: str, *, level: str = "notice", out: IO[str] | None = None) -> None:
    """A `::notice::` (or warning/error) line that the Actions log shows as an annotation."""
    print(f"::{level}::{_escape(message)}", file=out or sys.stdout, flush=True)


def append_file(path: str | None, text: str) -> bool:
    """Append to a file named by the runner (GITHUB_STEP_SUMMARY); False when there is none."""
    if not path:
        return False
    try:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise BadInputError(f"{path}: cannot write: {exc.strerror}") from None
    return True


def format_outputs(values: Mapping[str, str]) -> str:
    """`name=value` lines; multi-line values use the `name<<DELIMITER` form."""
    lines = []
    for name, value in values.items():
        if "\n" in value or "\r" in value:
            delimiter = f"EOF_{secrets.token_hex(8)}"
            lines += [f"{name}<<{delimiter}", value, delimiter]
        else:
            lines.append(f"{name}={value}")
    return "\n".join(lines) + "\n"


def write_outputs(path: str | None, values: Mapping[str, str]) -> bool:
    return append_file(path, format_outputs(values))
