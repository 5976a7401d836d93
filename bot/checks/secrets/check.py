"""The `hardcoded-secret` check: a credential added in any changed file. Pure.

Every changed file counts, backend or not (a key in a README or a CI file leaks just as well),
except paths allow-listed in `checks.secrets_allow` (test fixtures). The comment names the kind
of credential and what to do, and shows the value masked: its kind, its length and at most its
first 4 characters, never more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.checks.secrets.detect import Rules, Secret, rules_for, scan_lines
from bot.config import ChecksConfig
from bot.globs import match_glob
from bot.models import FileDiff, Finding

RULE = "hardcoded-secret"
_MATERIAL = re.compile(r"[A-Za-z0-9+/=]{16,}")
_ARMOUR = re.compile(r"-----[A-Z0-9 ]+-----")
# kind -> (what it is, where to revoke it)
_KINDS: Mapping[str, tuple[str, str]] = {
    "aws-access-key-id": ("An AWS access key ID", "deactivate and delete the key in AWS IAM"),
    "aws-secret-access-key": ("An AWS secret access key", "delete the key pair in AWS IAM"),
    "github-token": ("A GitHub token", "revoke it in GitHub's developer settings"),
    "gitlab-token": ("A GitLab token", "revoke it in GitLab's access token settings"),
    "stripe-live-key": ("A Stripe live-mode key", "roll the key in the Stripe dashboard"),
    "slack-token": ("A Slack token", "revoke it in the Slack app's settings"),
    "slack-webhook-url": ("A Slack webhook URL", "regenerate the webhook in Slack"),
    "password-in-url": (
        "A password inside a connection URL",
        "change the password of that account on the server",
    ),
    "private-key": ("A private key", "replace the key pair and revoke the old public key"),
    "password": ("A hardcoded password", "change the password wherever it is used"),
    "secret": ("A hardcoded secret or API key", "rotate it with the service that issued it"),
    "jwt": ("A JSON Web Token", "revoke it, or rotate the key that signed it"),
    "openai-api-key": ("An OpenAI API key", "revoke it in the OpenAI dashboard"),
    "npm-token": ("An npm token", "revoke it with `npm token revoke`"),
    "pypi-token": ("A PyPI token", "remove it in your PyPI account settings"),
}
# Kinds whose first characters are a fixed prefix of the format, so showing them gives nothing away.
_PREFIXED = frozenset(
    [
        "aws-access-key-id",
        "github-token",
        "gitlab-token",
        "stripe-live-key",
        "slack-token",
        "slack-webhook-url",
        "jwt",
        "openai-api-key",
        "npm-token",
        "pypi-token",
    ]
)
_DEFAULT_KIND = ("A credential", "revoke or rotate it with the service that issued it")


def describe(kind: str) -> tuple[str, str]:
    """(what it is, how to revoke it) for a kind of credential."""
    return _KINDS.get(kind, _DEFAULT_KIND)


def mask(secret: Secret, *, lines: int = 1) -> str:
    """`AKIA…, 20 characters`: the length, and the first 4 characters only where they are the
    format's public prefix (`AKIA`, `ghp_`, `sk_l`); nothing of a password or secret key."""
    if secret.kind == "private-key":
        return f"a PEM private key block of {lines} lines" if lines > 1 else "a PEM private key"
    value = secret.value
    if secret.kind in _PREFIXED and len(value) >= 16:
        return f"`{value[:4]}…`, {len(value)} characters"
    return f"{len(value)} characters"


def _body(secret: Secret, path: str, *, lines: int) -> str:
    what, revoke = describe(secret.kind)
    return (
        f"{what} ({secret.kind}, {mask(secret, lines=lines)}) is committed in `{path}`. Anyone "
        "who can read the repository can use it, and removing it in a later commit does not "
        "help: **it is in the git history now.**\n\n"
        f"1. **Revoke it now**: {revoke}, and check its logs for use you did not make.\n"
        "2. Read it from the environment or a secret store instead (for example an "
        "environment variable, GitHub Actions secrets, AWS Secrets Manager, Vault), and keep "
        "real values out of files in the repository.\n\n"
        "If this is a test fixture, list its path under `checks.secrets_allow`."
    )


def _allowed(path: str, config: ChecksConfig) -> bool:
    return any(match_glob(glob, path) for glob in config.secrets_allow)


def _added_runs(file: FileDiff) -> Iterable[list[tuple[int, str]]]:
    """Runs of consecutive added lines (new number, text), so a PEM block is seen whole."""
    for hunk in file.hunks:
        run: list[tuple[int, str]] = []
        for kind, _, new_no, text in hunk.lines:
            if kind == "+" and new_no is not None:
                run.append((new_no, text))
            elif kind == " " and run:  # a removed line inside a replaced block does not break it
                yield run
                run = []
        if run:
            yield run


@dataclass(frozen=True)
class FileScan:
    """The added lines of one file, in runs, with the credentials of each line; no runs when
    no rule can match anywhere in the file's added text (most files)."""

    path: str
    runs: tuple[tuple[list[tuple[int, str]], list[list[Secret]]], ...]


def scan_files(files: Sequence[FileDiff]) -> list[FileScan]:
    """Scan the added lines of every changed text file once (the check and redaction share it)."""
    return [scan_file(file) for file in files if not file.is_binary]


def scan_file(file: FileDiff, rules: Rules | None = None) -> FileScan:
    """`rules`: by default those whose gates the file's added text passes (see `gates`)."""
    if rules is None:
        rules = rules_for(
            "\n".join(
                [
                    line[3]
                    for hunk in file.hunks
                    for line in hunk.lines
                    if line[0] == "+" and line[2] is not None
                ]
            )
        )
        if not rules:  # checked on the text alone, before any per-line object is made
            return FileScan(path=file.path, runs=())
    runs = list(_added_runs(file))
    return FileScan(
        path=file.path,
        runs=tuple((run, scan_lines([t for _, t in run], file.path, rules)) for run in runs),
    )


def known_values(scans: Iterable[FileScan]) -> dict[str, str]:
    """Every credential found in the change, value -> kind, for redaction anywhere else."""
    return {
        secret.value: secret.kind
        for scan in scans
        for _, per_line in scan.runs
        for secrets in per_line
        for secret in secrets
    }


def _file_findings(scan: FileScan) -> list[Finding]:
    found: list[Finding] = []
    for run, per_line in scan.runs:
        index = 0
        while index < len(run):
            secrets = per_line[index]
            if not secrets:
                index += 1
                continue
            first = secrets[0]
            span = 1
            if first.kind == "private-key":
                while index + span < len(run) and _key_body(per_line[index + span]):
                    span += 1
                if span == 1 and not _MATERIAL.search(_ARMOUR.sub("", first.value)):
                    index += 1  # a BEGIN marker alone (code that parses keys), not a key
                    continue
            number = run[index][0]
            found.append(_finding(scan.path, number, secrets, span=span))
            index += span
    return found


def _key_body(secrets: Sequence[Secret]) -> bool:
    return len(secrets) == 1 and secrets[0].kind == "private-key"


def _finding(path: str, line: int, secrets: Sequence[Secret], *, span: int) -> Finding:
    kinds = sorted({s.kind for s in secrets})
    what, _ = describe(secrets[0].kind)
    title = f"{what} is committed in the code" if len(kinds) == 1 else "Credentials committed"
    body = "\n\n".join(_body(s, path, lines=span) for s in secrets[:3])
    return Finding(
        path=path,
        line=line,
        side="RIGHT",
        severity="critical",
        category="security",
        title=title,
        body=body,
        source="static",
        rule=RULE,
    )


def check(
    files: Sequence[FileDiff], config: ChecksConfig, *, scans: Sequence[FileScan] | None = None
) -> list[Finding]:
    """A critical finding on each added line (or PEM block) that holds a credential."""
    if not config.enabled or RULE in config.disable:
        return []
    found: list[Finding] = []
    for scan in scan_files(files) if scans is None else scans:
        if not _allowed(scan.path, config):
            found.extend(_file_findings(scan))
    return found
