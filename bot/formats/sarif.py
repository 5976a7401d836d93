"""SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`). Pure.

One run, one rule per rule id used, one result per finding. Each result carries the
content fingerprint as `primaryLocationLineHash`, so an alert survives a rebase that moves
its lines and a re-upload does not duplicate it.
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from bot import __version__
from bot.formats.location import (
    CATEGORY_HELP,
    INFORMATION_URI,
    LEVELS,
    TOOL,
    head_span,
    is_security,
    message,
    one_click_fix,
    rule_id,
)
from bot.models import FileDiff, Finding, Severity, severity_rank
from bot.review.findings import fingerprint

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
# GitHub ranks security alerts by this score: critical > 9.0, high 7.0-8.9, medium 4.0-6.9.
SECURITY_SEVERITY: dict[Severity, str] = {
    "critical": "9.5",
    "high": "8.0",
    "medium": "5.5",
    "low": "3.0",
    "info": "1.0",
}
RULES_HELP = f"{INFORMATION_URI}#deterministic-checks"


def _rule(rule: str, examples: Sequence[Finding]) -> dict[str, Any]:
    """A `reportingDescriptor`; its level and security score follow its worst finding."""
    worst = max(examples, key=lambda f: severity_rank(f.severity))
    first = examples[0]
    if first.source == "static" and first.rule:
        short = first.title
        full = f"{first.title} ({first.category}; deterministic rule `{rule}`)."
        text = f"{first.body.strip()}\n\nRule `{rule}`: see {RULES_HELP}."
        uri = RULES_HELP
    else:
        short = f"Model review: {first.category}"
        full = CATEGORY_HELP[first.category]
        text = f"{full} Found by Claude reviewing the change as a senior backend architect."
        uri = f"{INFORMATION_URI}#the-model-review"
    tags = sorted({first.category, "backend-review", *(["security"] if is_security(first) else [])})
    properties: dict[str, Any] = {"tags": tags}
    if any(is_security(f) for f in examples):
        properties["security-severity"] = SECURITY_SEVERITY[worst.severity]
    return {
        "id": rule,
        "name": rule.replace("/", "-"),
        "shortDescription": {"text": short[:1000]},
        "fullDescription": {"text": full},
        "help": {"text": text, "markdown": text},
        "helpUri": uri,
        "defaultConfiguration": {"level": LEVELS[worst.severity]},
        "properties": properties,
    }


def _result(finding: Finding, index: int, hash_: str) -> dict[str, Any]:
    span = head_span(finding)
    region: dict[str, int] = {"startLine": span.start}
    if span.end != span.start:
        region["endLine"] = span.end
    text = message(finding)
    fix = one_click_fix(finding)
    if fix is not None:
        text += f"\n\nSuggested replacement of lines {span.start}-{span.end}:\n{fix}"
    return {
        "ruleId": rule_id(finding),
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(finding.path, safe="/")},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {"primaryLocationLineHash": hash_},
        "properties": {
            "severity": finding.severity,
            "category": finding.category,
            "source": finding.source,
        },
    }


def sarif_document(findings: Sequence[Finding], files: Mapping[str, FileDiff]) -> dict[str, Any]:
    """The SARIF log for these findings; `files` gives the code their fingerprints hash."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(rule_id(finding), []).append(finding)
    order = {rule: i for i, rule in enumerate(by_rule)}
    seen: Counter[str] = Counter()
    results = []
    for finding in findings:
        fp = fingerprint(finding, files.get(finding.path))
        seen[fp] += 1  # the same problem twice on the same code: distinct alerts
        results.append(_result(finding, order[rule_id(finding)], f"{fp}:{seen[fp]}"))
    driver = {
        "name": TOOL,
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [_rule(rule, examples) for rule, examples in by_rule.items()],
    }
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results, "columnKind": "utf16CodeUnits"}],
    }


def to_sarif(findings: Sequence[Finding], files: Mapping[str, FileDiff]) -> str:
    return json.dumps(sarif_document(findings, files), indent=2, ensure_ascii=False) + "\n"
