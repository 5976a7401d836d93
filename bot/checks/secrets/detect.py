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
from functools import cache, cached_property
from typing import Any

from bot.checks.secrets.gates import Gate, gate, union
from bot.checks.secrets.placeholders import is_placeholder

MAX_KEYWORD_LINE = 2_000  # the keyword rules backtrack; the model sees 1,000 characters a line

# Plugins whose rules describe real credential formats, each with its gate (see `gates`): the
# substrings one of which a match holds (`i:` in any case) or a regex every match implies (`re:`,
# written to start with a literal). The plugins' regexes cost ~60 us a line together, the gates
# far less. The entropy and IP plugins are left out (noise in code review), as are
# Cloudant/IBM/SoftLayer (keyword shapes, covered by the keyword rules). A gate must stay a
# necessary condition of its plugin's regexes (tests/test_checks_secrets_gates.py pins them).
_PLUGINS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("aws", "AWSKeyDetector", ("A3T", "ABIA", "ACCA", "AKIA", "ASIA", "i:aws")),
    ("artifactory", "ArtifactoryDetector", ("AKC", r"re:AP[\dABCDEF]")),
    ("azure_storage_key", "AzureStorageKeyDetector", ("AccountKey=",)),
    ("basic_auth", "BasicAuthDetector", ("://",)),
    # `[MNO][\w-]{23,25}\.`, from its dot: a lookbehind must have one width
    (
        "discord",
        "DiscordBotTokenDetector",
        (r"re:\.(?:(?<=[MNO][\w-]{23}\.)|(?<=[MNO][\w-]{24}\.)|(?<=[MNO][\w-]{25}\.))",),
    ),
    ("github_token", "GitHubTokenDetector", (r"re:gh[pousr]_",)),
    ("gitlab_token", "GitLabTokenDetector", (r"re:gl[a-z]{2,5}-", "GR1348941")),
    ("jwt", "JwtTokenDetector", ("eyJ",)),
    ("mailchimp", "MailchimpDetector", ("-us",)),
    ("npm", "NpmDetector", ("_authToken",)),
    ("openai", "OpenAIDetector", ("T3BlbkFJ",)),
    ("private_key", "PrivateKeyDetector", ("PRIVATE KEY", "PuTTY")),
    ("pypi_token", "PypiTokenDetector", ("pypi-",)),
    ("sendgrid", "SendGridDetector", ("SG.",)),
    ("slack", "SlackDetector", ("i:xox", "i:hooks.slack")),
    ("square_oauth", "SquareOAuthDetector", ("sq0csp-",)),
    ("stripe", "StripeDetector", ("k_live_",)),
    ("telegram_token", "TelegramBotTokenDetector", (r"re::(?<=\d{8}:)",)),  # `\d{8,10}:`
    ("twilio", "TwilioKeyDetector", (r"re:AC[a-z0-9]{32}", r"re:SK[a-z0-9]{32}")),
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
    ("github-token", gate(["i:github_pat_"]), re.compile(r"github_pat_[A-Za-z0-9_]{60,}")),
    # detect-secrets' URL rule stops at `!`, `$`, `&`... which passwords do contain.
    (
        "password-in-url",
        gate(["i:://"]),
        re.compile(r"\b[a-z][a-z0-9+.-]*://[^:/@\s'\"]*:([^@\s'\"/]+)@"),
    ),
    (
        "aws-secret-access-key",
        gate(["i:aws"]),
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
_KEYWORD_GATE = gate(f"i:{word}" for word in _KEYWORD_WORDS)
_PLUGIN_GATES = tuple(gate(specs) for _, _, specs in _PLUGINS)
# Any rule at all, the first test of a file: `key` and `pass` stand for most keyword words (a
# coarser gate only costs a second look at the files holding them).
_ANY = union(
    [*_PLUGIN_GATES, *(extra[1] for extra in _EXTRA), _KEYWORD_GATE, gate(["i:key", "i:pass"])]
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
def _plugins() -> tuple[tuple[Gate, Any], ...]:
    """The detect-secrets plugins, built once (importing them costs ~0.1 s, so not at start)."""
    from importlib import import_module

    return tuple(
        (gate_, getattr(import_module(f"detect_secrets.plugins.{module}"), name)())
        for gate_, (module, name, _) in zip(_PLUGIN_GATES, _PLUGINS, strict=True)
    )


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
class Rules:
    """The rules whose gates a text passes: only these can match in any of its lines."""

    plugins: tuple[tuple[Gate, Any], ...]
    extra: tuple[tuple[str, Gate, re.Pattern[str]], ...]
    keyword: bool
    gated: bool = True  # False: every rule on every line, gates ignored (tests compare both)

    def __bool__(self) -> bool:
        return bool(self.plugins or self.extra or self.keyword)

    @cached_property
    def line_gate(self) -> Gate:
        """What a line passes when any of these rules can match in it: other lines are skipped
        before any per-line work (most lines of a file that holds, say, `key` somewhere)."""
        keyword = (_KEYWORD_GATE,) if self.keyword else ()
        return _union((*(p[0] for p in self.plugins), *(e[1] for e in self.extra), *keyword))


@cache
def _union(gates: tuple[Gate, ...]) -> Gate:
    return union(gates)


def rules_for(text: str) -> Rules:
    """The rules a text can match at all: checked once on a whole file's text, then only those
    are tried line by line. Most files pass no gate, and their lines are never looked at."""
    low = text.lower()
    if not _ANY.passes(text, low):
        return _NO_RULES
    return Rules(
        plugins=tuple(p for p in _plugins() if p[0].passes(text, low)),
        extra=tuple(e for e in _EXTRA if e[1].passes(text, low)),
        keyword=_KEYWORD_GATE.passes(text, low),
    )


_NO_RULES = Rules(plugins=(), extra=(), keyword=False)


def ungated_rules() -> Rules:
    """Every rule, tried on every line: what the gates must never change the answer of."""
    return Rules(plugins=_plugins(), extra=_EXTRA, keyword=True, gated=False)


def _candidates(line: str, path: str | None, rules: Rules) -> Iterable[tuple[str, str, int, int]]:
    low = line.lower()
    gated = rules.gated
    for gate_, plugin in rules.plugins:
        if gated and not gate_.passes(line, low):
            continue
        for found in set(plugin.analyze_string(line)):
            value = found.strip(" \t\"'=:")
            kind = _kind(plugin.secret_type, value)
            for start, end in _spans(line, value):
                yield kind, value, start, end
    for kind, gate_, pattern in rules.extra:
        if gated and not gate_.passes(line, low):
            continue
        for match in pattern.finditer(line):
            group = 1 if pattern.groups else 0
            yield kind, match.group(group), match.start(group), match.end(group)
    if not rules.keyword or len(line) > MAX_KEYWORD_LINE:
        return
    if not gated or _KEYWORD_GATE.passes(line, low):
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


def scan_line(line: str, path: str | None = None, rules: Rules | None = None) -> list[Secret]:
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
    lines: Sequence[str], path: str | None = None, rules: Rules | None = None
) -> list[list[Secret]]:
    """Per line, its credentials; the lines inside a PEM private key block count whole.

    `rules`: from `rules_for` on a text holding these lines (a whole file), to check once."""
    rules = rules_for("\n".join(lines)) if rules is None else rules
    if not rules:  # the common case: no rule can match anywhere in the text
        return [[] for _ in lines]
    keys = any(type(p).__name__ == "PrivateKeyDetector" for _, p in rules.plugins)
    line_gate = rules.line_gate if rules.gated else None
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
        if line_gate is not None and not line_gate.passes(line, line.lower()):
            out.append([])  # no rule can match, nor can a PEM block begin (a gate of its own)
            continue
        out.append(scan_line(line, path, rules))
        opened = PEM_BEGIN.search(line) if keys else None
        in_key = opened is not None and PEM_END.search(line, opened.end()) is None
    return out
