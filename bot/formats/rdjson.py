"""reviewdog's rdjson (`DiagnosticResult`): one diagnostic per finding. Pure.

Lines are 1-based; a range without columns is whole lines, both ends included, which is
what a suggestion replacing exactly the finding's lines needs.
https://github.com/reviewdog/reviewdog/blob/master/proto/rdf/reviewdog.proto
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.formats.location import INFORMATION_URI, TOOL, head_span, message, one_click_fix, rule_id
from bot.models import Finding, Severity

SEVERITY: dict[Severity, str] = {
    "critical": "ERROR",
    "high": "ERROR",
    "medium": "WARNING",
    "low": "INFO",
    "info": "INFO",
}


def _diagnostic(finding: Finding) -> dict[str, Any]:
    span = head_span(finding)
    lines = {"start": {"line": span.start}, "end": {"line": span.end}}
    out: dict[str, Any] = {
        "message": message(finding),
        "location": {"path": finding.path, "range": lines},
        "severity": SEVERITY[finding.severity],
        "source": {"name": TOOL, "url": INFORMATION_URI},
        "code": {"value": rule_id(finding)},
    }
    fix = one_click_fix(finding)
    if fix is not None:
        out["suggestions"] = [{"range": lines, "text": fix}]
    return out


def rdjson_document(findings: Sequence[Finding]) -> dict[str, Any]:
    return {
        "source": {"name": TOOL, "url": INFORMATION_URI},
        "diagnostics": [_diagnostic(f) for f in findings],
    }


def to_rdjson(findings: Sequence[Finding]) -> str:
    return json.dumps(rdjson_document(findings), indent=2, ensure_ascii=False) + "\n"
