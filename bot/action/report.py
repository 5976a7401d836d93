"""The Action's step outputs (declared in action.yml) and the SARIF file, from what the
review did."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.errors import BadInputError
from bot.models import SEVERITIES
from bot.pr.report import Outcome


def outputs(outcome: Outcome, *, sarif_file: str = "") -> dict[str, str]:
    """The step outputs declared in action.yml (`sarif_file`: the SARIF written, if any)."""
    counts = Counter(f.severity for f in outcome.result.findings)
    values = {"findings-total": str(len(outcome.result.findings))}
    values |= {f"findings-{s}": str(counts[s]) for s in SEVERITIES}
    values["summary-comment-url"] = outcome.summary_url or ""
    values["reviewed-sha"] = outcome.pull.head_sha
    values["sarif-file"] = sarif_file
    values["check-run-url"] = outcome.check_run_url or ""
    return values


def write_sarif(path: str | None, outcome: Outcome) -> str:
    """Write the review's findings as SARIF to `path` (the `sarif-file` input); the path
    written, or "" when none was asked for."""
    if not path or not path.strip():
        return ""
    from bot.formats.sarif import to_sarif

    target = Path(path.strip())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(to_sarif(outcome.result.findings, outcome.files), encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"{target}: cannot write the SARIF file: {exc.strerror}") from None
    return str(target)
