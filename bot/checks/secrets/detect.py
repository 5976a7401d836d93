"""Find credentials in lines of text with detect-secrets' rules, offline. Pure.

detect-secrets (Yelp) keeps the rules: its vendor plugins (AWS, GitHub, Stripe, Slack, private
keys, ...) and its keyword rules for `password = "..."` in the syntax of each file type. Its
plugins are instantiated here and only `analyze_string` is called, so none of its global
settings, baselines or network verification are involved. A few shapes it misses are added
(fine-grained GitHub tokens, an unquoted AWS secret key, the body of a PEM private key), and a
match is widened to the whole token so that no tail of a credential is left visible.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.checks.secrets.placeholders import is_placeholder

MAX_KEYWORD_LINE = 2_000  # the keyword rules backtrack; the model sees 1,000 characters a line

# Plugins whose rules describe real credential formats, each with the substrings one of which a
# line must hold before the plugin's regexes run (`i:` for any case; `re:` a cheaper regex than
# the plugin's): the regexes cost ~60 us a line together, the gates a few. The
# entropy and IP plugins are left out (noise in code review), as are Cloudant/IBM/SoftLayer
# (keyword shapes, covered by the keyword rules).
_PLUGINS = (
    ("aws", "AWSKeyDetector", "A3T|ABIA|ACCA|AKIA|ASIA|i:aws"),
    ("artifactory", "ArtifactoryDetector", "AKC|AP"),
    ("azure_storage_key", "AzureStorageKeyDetector", "AccountKey="),
    ("basic_auth", "BasicAuthDetector", "://"),
    ("discord", "DiscordBotTokenDetector", r"re:[MNO][\w-]{23,25}\."),
    ("github_token", "GitHubTokenDetector", "gh"),
    ("gitlab_token", "GitLabTokenDetector", "gl|GR1348941"),
    ("jwt", "JwtTokenDetector", "eyJ"),
    ("mailchimp", "MailchimpDetector", "-us"),
    ("npm", "NpmDetector", "_authToken"),
    ("openai", "OpenAIDetector", "T3BlbkFJ"),
    ("private_key", "PrivateKeyDetector", "PRIVATE KEY|PuTTY"),
    ("pypi_token", "PypiTokenDetector", "pypi-"),
    ("sendgrid", "SendGridDetector", "SG."),
    ("slack", "SlackDetector", "i:xox|i:hooks.slack"),
    ("square_oauth", "SquareOAuthDetector", "sq0csp-"),
    ("stripe", "StripeDetector", "k_live_"),
    ("telegram_token", "TelegramBotTokenDetector", r"re:\d{8,10}:"),
    ("twilio", "TwilioKeyDetector", r"re:(?:AC|SK)[a-z0-9]{32}"),
)
_KINDS = {
    "Artifactory Credentials": "artifactory-token",
    "Azure Storage Account access key": "azure-storage-key",
    "Basic Auth Credentials": "password-in-url",
    "Discord Bot Token": "discord-bot-token",
    "GitHub Token": "github-token",
    "GitLab Token": "gitlab-token",
    "JSON Web Token": "jwt",
    "Mailchimp Access Key": "mailchimp-api-key",
    "NPM tokens": "npm-token",
    "OpenAI Token": "openai-api-key",
    "Private Key": "private-key",
    "PyPI Token": "pypi-token",
    "SendGrid API Key": "sendgrid-api-key",
    "Slack Token": "slack-token",
    "Square OAuth Secret": "square-oauth-secret",
    "Stripe Access Key": "stripe-live-key",
    "Telegram Bot Token": "telegram-bot-token",
    "Twilio API Key": "twilio-api-key",
}
_AWS_KEY_ID = re.compile(r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}")
_EXTRA = (
    ("github-token", "github_pat_", re.compile(r"github_pat_[A-Za-z0-9_]{60,}")),
    # detect-secrets' URL rule stops at `!`, `$`, `&`... which passwords do contain.
    ("password-in-url", "://", re.compile(r"\b[a-z][a-z0-9+.-]*://[^:/@\s'\"]*:([^@\s'\"/]+)@")),
    (
        "aws-secret-access-key",
        "aws",
        re.compile(
            r"aws.{0,20}?(?:secret|key).{0,20}?[=:]\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
            re.IGNORECASE,
        ),
    ),
)
# Every keyword rule needs one of detect-secrets' denylisted words; these substrings cover them.
_KEY_OWNERS = ("api", "auth", "service", "account", "db", "database", "priv", "private", "client")
_KEYWORD_WORDS = (
    *(f"{owner}{sep}key" for owner in _KEY_OWNERS for sep in ("", "_")),
    *(f"{owner}{sep}pass" for owner in ("db", "database", "key") for sep in ("", "_")),
    "passw",
    "pwd",
    "secret",
    "contrase",
)
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-]")
_AWS_SECRET_CHARS = re.compile(r"[A-Za-z0-9/+]")
PEM_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----|PuTTY-User-Key-File")
PEM_END = re.compile(r"-----END ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----")
# A line inside a PEM block: base64 (maybe quoted, concatenated or with a `\n`), or a header.
PEM_BODY = re.compile(
    r"""^[\s"'`+,]*(?:[A-Za-z0-9+/=]{8,}|Proc-Type:.*|DEK-Info:.*|Comment:.*)"""
    r"""(?:\\n)?[\s"'`+,;\\]*$"""
)
_PEM_TAIL = re.compile(r"(?:\\[nr]|[A-Za-z0-9+/=,:\- ])*")
_CONFIG_NAMES = re.compile(r"(^|/)\.env(\.[\w.-]+)?$|\.env$|\.(cfg|conf|ini|properties)$")


@dataclass(frozen=True)
class Secret:
    """A credential found in one line: its kind (`aws-access-key-id`) and where it is."""

    kind: str
    value: str
    start: int
    end: int


@cache
def _plugins() -> tuple[Any, ...]:
    """The detect-secrets plugins, built once (importing them costs ~0.1 s, so not at start)."""
    from importlib import import_module

    return tuple(
        (_gate(gate), getattr(import_module(f"detect_secrets.plugins.{module}"), name)())
        for module, name, gate in _PLUGINS
    )


Gate = tuple[tuple[str, ...], tuple[str, ...]] | re.Pattern[str]


def _gate(spec: str) -> Gate:
    """A regex from `re:...`, else (case-sensitive, lower-case substrings) from `A|B|i:c`."""
    if spec.startswith("re:"):
        return re.compile(spec[3:])
    parts = spec.split("|")
    return (
        tuple(p for p in parts if not p.startswith("i:")),
        tuple(p[2:] for p in parts if p.startswith("i:")),
    )


def _passes(gate: Gate, line: str, low: str) -> bool:
    if isinstance(gate, re.Pattern):
        return gate.search(line) is not None
    exact, lower = gate
    return any(p in line for p in exact) or any(p in low for p in lower)


@cache
def _keyword() -> tuple[Any, Any, Any]:
    from detect_secrets.plugins import keyword
    from detect_secrets.util.filetype import FileType, determine_file_type

    return keyword, FileType, determine_file_type


@cache
def _keyword_rules(path: str | None) -> Any:
    """The keyword regexes for the file's syntax (quotes required in code, not in config)."""
    keyword, _, determine = _keyword()
    if path and _CONFIG_NAMES.search(path):
        return keyword.CONFIG_DENYLIST_REGEX_TO_GROUP
    kind = determine(path or "")
    return keyword.REGEX_BY_FILETYPE.get(kind, keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)


def _keyword_kind(line: str, start: int) -> str:
    before = line[:start].lower()
    if re.search(r"(pass|pwd|contrase)\w*\W*$", before):
        return "password"
    return "password" if re.search(r"pass(word)?|passwd|pwd", before[-40:]) else "secret"


def _kind(rule: str, value: str) -> str:
    """Our name for the kind of credential, from the plugin's `secret_type` and the value."""
    if rule == "AWS Access Key":
        return "aws-access-key-id" if _AWS_KEY_ID.fullmatch(value) else "aws-secret-access-key"
    if rule == "Slack Token" and value.startswith("https://"):
        return "slack-webhook-url"
    return _KINDS.get(rule) or re.sub(r"[^a-z0-9]+", "-", rule.lower()).strip("-")


def _widen(line: str, start: int, end: int, kind: str) -> tuple[int, int]:
    """The whole token around a match, so no tail of a longer key is left visible."""
    if kind == "private-key":
        opened = PEM_BEGIN.search(line, max(0, start - 40))
        if opened is None:
            return start, end
        closing = PEM_END.search(line, opened.end())
        if closing is not None:
            return opened.start(), closing.end()
        material = _PEM_TAIL.match(line, opened.end())
        return opened.start(), material.end() if material else opened.end()
    if kind in ("password", "secret", "password-in-url"):
        return start, end
    chars = _AWS_SECRET_CHARS if kind == "aws-secret-access-key" else _TOKEN_CHARS
    while start > 0 and chars.match(line[start - 1]):
        start -= 1
    while end < len(line) and chars.match(line[end]):
        end += 1
    return start, end


def _spans(line: str, value: str) -> Iterable[tuple[int, int]]:
    at = line.find(value)
    while at >= 0 and value:
        yield at, at + len(value)
        at = line.find(value, at + len(value))


@dataclass(frozen=True)
class _Rules:
    """The rules whose gates a text passes: only these can match in any of its lines."""

    plugins: tuple[tuple[Gate, Any], ...]
    extra: tuple[tuple[str, str, re.Pattern[str]], ...]
    keyword: bool

    def __bool__(self) -> bool:
        return bool(self.plugins or self.extra or self.keyword)


def rules_for(text: str) -> _Rules:
    """The rules a text can match at all: checked once on a whole file's text (two regex
    passes for all the substring gates), then only those are tried line by line."""
    low = text.lower()
    plugins = _plugins()
    exact, lower, owners = _needles()
    hit = {i for needle in exact.findall(text) for i in owners[needle]}
    hit |= {i for needle in lower.findall(low) for i in owners[needle]}
    for index, (gate, _) in enumerate(plugins):
        if index not in hit and isinstance(gate, re.Pattern) and gate.search(text):
            hit.add(index)
    return _Rules(
        plugins=tuple(plugins[i] for i in sorted(i for i in hit if i >= 0)),
        extra=tuple(e for k, e in enumerate(_EXTRA) if _EXTRA_OWNER - k in hit),
        keyword=_KEYWORD_OWNER in hit,
    )


_KEYWORD_OWNER = -1  # owners below 0 in `_needles`: the keyword rules, then each extra rule
_EXTRA_OWNER = -2


@cache
def _needles() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, list[int]]]:
    """The substring gates as two alternations (case-sensitive, lower-case), longest first,
    and which rules each substring opens (a plugin's index, or the owners above). Matches do
    not overlap; the only needles one could hide (`AP` after `ACCA`, `-us` after `pypi`) belong
    to rules that need another character right before them."""
    exact: list[str] = []
    lower: list[str] = [*_KEYWORD_WORDS, *(e[1] for e in _EXTRA)]
    owners: dict[str, list[int]] = {w: [_KEYWORD_OWNER] for w in _KEYWORD_WORDS}
    for k, extra in enumerate(_EXTRA):
        owners.setdefault(extra[1], []).append(_EXTRA_OWNER - k)
    for index, (gate, _) in enumerate(_plugins()):
        if isinstance(gate, re.Pattern):
            continue
        exact += gate[0]
        lower += gate[1]
        for needle in (*gate[0], *gate[1]):
            owners.setdefault(needle, []).append(index)

    def alternation(needles: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(map(re.escape, sorted(set(needles), key=len, reverse=True))))

    return alternation(exact), alternation(lower), owners


def _candidates(line: str, path: str | None, rules: _Rules) -> Iterable[tuple[str, str, int, int]]:
    low = line.lower()
    for gate, plugin in rules.plugins:
        if not _passes(gate, line, low):
            continue
        for found in set(plugin.analyze_string(line)):
            value = found.strip(" \t\"'=:")
            kind = _kind(plugin.secret_type, value)
            for start, end in _spans(line, value):
                yield kind, value, start, end
    for kind, needle, pattern in rules.extra:
        if needle not in low:
            continue
        for match in pattern.finditer(line):
            group = 1 if pattern.groups else 0
            yield kind, match.group(group), match.start(group), match.end(group)
    if rules.keyword and len(line) <= MAX_KEYWORD_LINE and any(w in low for w in _KEYWORD_WORDS):
        found_values = _plugins_keyword().analyze_string(
            line, denylist_regex_to_group=_keyword_rules(path)
        )
        for value in set(found_values):
            for start, end in _spans(line, value):
                yield _keyword_kind(line, start), value, start, end


@cache
def _plugins_keyword() -> Any:
    keyword, _, _ = _keyword()
    return keyword.KeywordDetector()


def scan_line(line: str, path: str | None = None, rules: _Rules | None = None) -> list[Secret]:
    """The credentials in one line, placeholders and references left out, without overlaps."""
    rules = rules_for(line) if rules is None else rules
    if not rules:
        return []
    found: list[Secret] = []
    for kind, value, at, until in _candidates(line, path, rules):
        if is_placeholder(kind, value, line):
            continue
        start, end = _widen(line, at, until, kind)
        found.append(Secret(kind=kind, value=line[start:end], start=start, end=end))
    return _without_overlaps(found)


def _without_overlaps(found: Sequence[Secret]) -> list[Secret]:
    """Longest first; a match inside another (a key ID inside a URL) is dropped."""
    kept: list[Secret] = []
    for secret in sorted(found, key=lambda s: (-(s.end - s.start), s.start)):
        if all(secret.end <= k.start or secret.start >= k.end for k in kept):
            kept.append(secret)
    return sorted(kept, key=lambda s: s.start)


def scan_lines(
    lines: Sequence[str], path: str | None = None, rules: _Rules | None = None
) -> list[list[Secret]]:
    """Per line, its credentials; the lines inside a PEM private key block count whole.

    `rules`: from `rules_for` on a text holding these lines (a whole file), to check once."""
    rules = rules_for("\n".join(lines)) if rules is None else rules
    if not rules:  # the common case: no rule can match anywhere in the text
        return [[] for _ in lines]
    keys = any(type(p).__name__ == "PrivateKeyDetector" for _, p in rules.plugins)
    out: list[list[Secret]] = []
    in_key = False
    for line in lines:
        if in_key:
            closing = PEM_END.search(line)
            if closing or PEM_BODY.match(line):
                end = closing.end() if closing else len(line.rstrip())
                start = len(line) - len(line.lstrip())
                out.append([Secret("private-key", line[start:end], start, end)])
                in_key = closing is None
                continue
            in_key = False
        out.append(scan_line(line, path, rules))
        opened = PEM_BEGIN.search(line) if keys else None
        in_key = opened is not None and PEM_END.search(line, opened.end()) is None
    return out
