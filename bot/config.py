"""Configuration: the repository file `.github/backend-review.yml` and the runtime settings.

The repository file says *what* to review and how strictly; runtime settings (environment,
action inputs, command-line flags) say *how* to run: keys, model, endpoints. Only this
module and the entry points read the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError
from bot.models import Severity

DEFAULT_CONFIG_PATH = ".github/backend-review.yml"
DEFAULT_MODEL = "claude-sonnet-5-5"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CategoryGlobs(_Strict):
    """Extra globs that put files into a category whatever their content."""

    api: list[str] = []
    migration: list[str] = []
    query: list[str] = []


class PathInstruction(_Strict):
    path: str = Field(min_length=1, description="glob of the files these instructions apply to")
    instructions: str = Field(min_length=1)


class ChecksConfig(_Strict):
    """Deterministic checks: which rules run, at what severity, for which database."""

    enabled: bool = True
    disable: list[str] = []
    severity: dict[str, Severity] = {}
    postgres_version: str = "16"
    assume_in_transaction: bool = False
    secrets_allow: list[str] = []  # path globs of test fixtures the hardcoded-secret rule skips

    @field_validator("postgres_version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        # YAML reads `postgres_version: 15` as a number; squawk wants text.
        return str(value) if isinstance(value, int | float) else value


class Price(_Strict):
    """US dollars per million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_write: float = Field(ge=0)
    cache_read: float = Field(ge=0)


def _default_prices() -> dict[str, Price]:
    sonnet = Price(input=3.0, output=15.0, cache_write=3.75, cache_read=0.30)
    return {
        "claude-sonnet": sonnet,
        "claude-opus": Price(input=5.0, output=25.0, cache_write=6.25, cache_read=0.50),
        "claude-haiku": Price(input=1.0, output=5.0, cache_write=1.25, cache_read=0.10),
    }


class RepoConfig(_Strict):
    """The schema of `.github/backend-review.yml`. Unknown keys are errors, not silently ignored."""

    include: list[str] = []
    exclude: list[str] = []
    paths: CategoryGlobs = CategoryGlobs()
    instructions: str = ""
    path_instructions: list[PathInstruction] = []
    checks: ChecksConfig = ChecksConfig()
    min_severity: Severity = "low"
    max_inline_comments: int = Field(default=25, ge=0, le=500)
    fail_on: Severity | None = None
    request_changes_on: Severity | None = None
    review_drafts: bool = False
    model: str | None = None
    max_tokens_per_review: int = Field(default=400_000, ge=1_000)
    max_tokens_per_request: int = Field(default=60_000, ge=1_000)
    pricing: dict[str, Price] = Field(default_factory=_default_prices)

    @field_validator("include", "exclude")
    @classmethod
    def _no_empty_globs(cls, value: list[str]) -> list[str]:
        if any(not g.strip() for g in value):
            raise ValueError("globs must not be empty")
        return value

    def price_for(self, model: str) -> Price | None:
        """The longest pricing key that prefixes the model id wins."""
        keys = sorted((k for k in self.pricing if model.startswith(k)), key=len, reverse=True)
        return self.pricing[keys[0]] if keys else None


def _describe(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return f"{source}: {where}: {msg}{more}"


def parse_repo_config(text: str, *, source: str = DEFAULT_CONFIG_PATH) -> RepoConfig:
    """Parse and validate the YAML text of a repository configuration."""
    try:
        data: Any = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{source}: invalid YAML{where}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: the top level must be a mapping of keys, not {type(data).__name__}"
        )
    try:
        return RepoConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None


def load_repo_config(path: Path | None, *, required: bool = False) -> RepoConfig:
    """Read the configuration file; a missing default file means defaults."""
    if path is None:
        return RepoConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: configuration file not found") from None
        return RepoConfig()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None
    return parse_repo_config(text, source=str(path))


class Settings(BaseSettings):
    """Runtime settings from the environment (action inputs are mapped to these names)."""

    model_config = SettingsConfigDict(
        extra="ignore", frozen=True, populate_by_name=True, env_ignore_empty=True
    )

    anthropic_api_key: SecretStr | None = Field(default=None, alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = Field(default=None, alias="ANTHROPIC_BASE_URL")
    provider: Literal["anthropic", "bedrock", "vertex"] = Field(
        default="anthropic", alias="BACKEND_REVIEW_PROVIDER"
    )
    model: str | None = Field(default=None, alias="BACKEND_REVIEW_MODEL")
    max_tokens: int = Field(default=8_000, ge=256, le=20_000, alias="BACKEND_REVIEW_MAX_TOKENS")
    model_timeout: float = Field(default=180.0, gt=0, alias="BACKEND_REVIEW_MODEL_TIMEOUT")
    model_retries: int = Field(default=2, ge=0, le=10, alias="BACKEND_REVIEW_MODEL_RETRIES")
    concurrency: int = Field(default=4, ge=1, le=32, alias="BACKEND_REVIEW_CONCURRENCY")
    aws_region: str | None = Field(default=None, alias="AWS_REGION")
    vertex_region: str | None = Field(default=None, alias="CLOUD_ML_REGION")
    vertex_project: str | None = Field(default=None, alias="ANTHROPIC_VERTEX_PROJECT_ID")

    github_token: SecretStr | None = Field(default=None, alias="GITHUB_TOKEN")
    github_api_url: str = Field(default="https://api.github.com", alias="GITHUB_API_URL")
    github_timeout: float = Field(default=30.0, gt=0, alias="BACKEND_REVIEW_GITHUB_TIMEOUT")
    config_path: str = Field(default=DEFAULT_CONFIG_PATH, alias="BACKEND_REVIEW_CONFIG")
    fail_on: Severity | None = Field(default=None, alias="BACKEND_REVIEW_FAIL_ON")
    max_inline_comments: int | None = Field(
        default=None, ge=0, le=500, alias="BACKEND_REVIEW_MAX_INLINE_COMMENTS"
    )
    dry_run: bool = Field(default=False, alias="BACKEND_REVIEW_DRY_RUN")
    pr_number: str | None = Field(default=None, alias="BACKEND_REVIEW_PR_NUMBER")
    review_drafts: bool | None = Field(default=None, alias="BACKEND_REVIEW_REVIEW_DRAFTS")
    github_retry_delay: float = Field(
        default=1.0, ge=0, le=60, alias="BACKEND_REVIEW_GITHUB_RETRY_DELAY"
    )
    check_run: bool = Field(default=True, alias="BACKEND_REVIEW_CHECK_RUN")
    sarif_file: str | None = Field(default=None, alias="BACKEND_REVIEW_SARIF_FILE")

    @field_validator(
        "fail_on", "model", "max_inline_comments", "pr_number", "review_drafts", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # Action inputs arrive as empty strings when not given.
        return None if isinstance(value, str) and not value.strip() else value

    def has_model_credentials(self) -> bool:
        """Bedrock and Vertex authenticate through their cloud SDKs; Anthropic needs a key."""
        if self.provider == "anthropic":
            key = self.anthropic_api_key
            return key is not None and bool(key.get_secret_value().strip())
        return True

    def model_for(self, repo: RepoConfig) -> str:
        return self.model or repo.model or DEFAULT_MODEL


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, with explicit overrides (tests, CLI flags)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, "settings")) from None


class AppSettings(Settings):
    """The GitHub App's settings (`serve`, `worker`): the Action's model settings plus the App's
    identity, webhook secret, queue and job tuning."""

    app_id: int | None = Field(default=None, ge=1, alias="GITHUB_APP_ID")
    private_key: SecretStr | None = Field(default=None, alias="GITHUB_APP_PRIVATE_KEY")
    private_key_path: str | None = Field(default=None, alias="GITHUB_APP_PRIVATE_KEY_PATH")
    webhook_secret: SecretStr | None = Field(default=None, alias="GITHUB_WEBHOOK_SECRET")
    queue: str | None = Field(default=None, alias="BACKEND_REVIEW_QUEUE")
    data_dir: str = Field(default="~/.local/share/backend-review", alias="BACKEND_REVIEW_DATA_DIR")
    attempts: int = Field(default=4, ge=1, le=20, alias="BACKEND_REVIEW_APP_ATTEMPTS")
    retry_delay: float = Field(default=30.0, ge=0, alias="BACKEND_REVIEW_APP_RETRY_DELAY")
    lock_ttl: float = Field(default=120.0, ge=1, alias="BACKEND_REVIEW_APP_LOCK_TTL")
    debounce: float = Field(default=3.0, ge=0, le=600, alias="BACKEND_REVIEW_APP_DEBOUNCE")
    shutdown_grace: float = Field(default=25.0, ge=0, alias="BACKEND_REVIEW_APP_SHUTDOWN_GRACE")

    def queue_url(self) -> str:
        """`BACKEND_REVIEW_QUEUE`, or an SQLite queue file under the data directory."""
        return self.queue or f"sqlite:///{Path(self.data_dir).expanduser() / 'queue.db'}"


def load_app_settings(**overrides: Any) -> tuple[AppSettings, str]:
    """The App's settings and its private key (PEM text), refused unless the webhook secret is set
    and the key parses: a receiver that cannot verify deliveries or act must not start."""
    settings = _app_settings(overrides)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not secret.strip():
        raise ConfigError("GITHUB_WEBHOOK_SECRET is not set: deliveries cannot be verified")
    if settings.app_id is None:
        raise ConfigError("GITHUB_APP_ID is not set")
    key = settings.private_key.get_secret_value() if settings.private_key else ""
    where = "GITHUB_APP_PRIVATE_KEY"
    if not key.strip() and settings.private_key_path:
        where = settings.private_key_path
        try:
            key = Path(settings.private_key_path).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{where}: cannot read the App's private key: {exc}") from None
    if not key.strip():
        raise ConfigError("no App private key: set GITHUB_APP_PRIVATE_KEY or _PATH")
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        load_pem_private_key(key.replace("\\n", "\n").encode(), password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"{where}: the App's private key is not a PEM private key") from None
    return settings, key.replace("\\n", "\n")


def _app_settings(values: dict[str, Any]) -> AppSettings:
    try:
        return AppSettings(**values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, "settings")) from None
