"""Hidden HTML markers that let later runs recognise what earlier runs posted.

Comments carry the fingerprint of their finding; the summary comment carries the head it
reviewed and a hash of the configuration, so the next run can review only what is new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FP = re.compile(r"<!-- backend-review:fp=([0-9a-f]{8,64}) -->")
_SUMMARY = re.compile(
    r"<!-- backend-review:summary head=([0-9a-f]{0,64}) config=([0-9a-f]{0,64})"
    r"(?: fps=([0-9a-f,]*))?(?: worst=([a-z]*))? -->"
)
SUMMARY_TAG = "<!-- backend-review:summary"
_HEX = re.compile(r"[0-9a-f]{0,64}")


def _hex(value: str, what: str, *, min_len: int = 0) -> str:
    """Refuse to write a marker that the parser would not read back."""
    if not (_HEX.fullmatch(value) and len(value) >= min_len):
        raise ValueError(f"{what} must be lowercase hex: {value!r}")
    return value


def fingerprint_marker(fingerprint: str) -> str:
    """The hidden marker that ends every comment body we post."""
    return f"<!-- backend-review:fp={_hex(fingerprint, 'fingerprint', min_len=8)} -->"


def find_fingerprints(body: str) -> set[str]:
    """Every fingerprint marker in a comment body (a summary may hold many)."""
    return set(_FP.findall(body or ""))


@dataclass(frozen=True)
class SummaryState:
    head_sha: str
    config_hash: str
    fingerprints: frozenset[str] = frozenset()
    worst: str = ""  # the worst severity that review found ("" = none): a re-run's exit code


def summary_marker(state: SummaryState) -> str:
    """The hidden marker of the summary comment: what was reviewed, under which configuration."""
    fps = ",".join(sorted(_hex(fp, "fingerprint", min_len=8) for fp in state.fingerprints))
    head = _hex(state.head_sha, "head sha")
    config = _hex(state.config_hash, "config hash")
    worst = f" worst={state.worst}" if re.fullmatch(r"[a-z]+", state.worst) else ""
    return f"<!-- backend-review:summary head={head} config={config} fps={fps}{worst} -->"


def parse_summary_marker(body: str) -> SummaryState | None:
    """The state kept in our summary comment, or None if the body is not ours."""
    match = _SUMMARY.search(body or "")
    if match is None:
        return None
    fps = frozenset(f for f in (match.group(3) or "").split(",") if f)
    return SummaryState(
        head_sha=match.group(1),
        config_hash=match.group(2),
        fingerprints=fps,
        worst=match.group(4) or "",
    )


def is_summary_comment(body: str) -> bool:
    """Whether a comment is a summary comment (check its author too: anyone can paste this)."""
    return SUMMARY_TAG in (body or "")
