"""Deterministic checks: takes the classified backend files, gives static findings with rule ids.

Pure, apart from one squawk subprocess per review. Never imports or runs the PR's code.
Each family (migrations/, queries/, contracts/) exposes `check(files, reports, config, *,
source) -> list[Finding]` in its check.py; run.py runs them all and applies the
configuration's rule switches and severities.
"""
