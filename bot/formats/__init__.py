"""Findings in the formats other tools read: SARIF (code scanning), rdjson (reviewdog) and
check-run annotations. Pure: each takes the same findings the JSON document holds."""
