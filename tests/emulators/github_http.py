"""Request/reply types and pagination shared by the GitHub emulator's routes and server."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from tests.emulators.github_models import error
from tests.emulators.github_state import Token

JSON = "application/json; charset=utf-8"
DIFF = "application/vnd.github.diff; charset=utf-8"
MAX_BODY = 65_536


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator received it, for assertions in tests."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Request:
    """A routed request: the recorded parts plus path parameters and the caller's identity."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    params: dict[str, str] = field(default_factory=dict)
    token: Token | None = None

    @property
    def login(self) -> str:
        return self.token.login if self.token else "github-actions[bot]"

    @property
    def kind(self) -> str:
        return self.token.type if self.token else "Bot"

    def json(self) -> dict[str, Any]:
        """The JSON body as an object (empty when absent or not an object)."""
        return self.body if isinstance(self.body, dict) else {}

    def wants(self, media: str) -> bool:
        """Whether the Accept header asks for a media type suffix such as `diff` or `raw`."""
        accept = self.headers.get("accept", "")
        return (
            f"application/vnd.github.{media}" in accept
            or f"application/vnd.github.v3.{media}" in accept
        )


@dataclass
class Reply:
    """What to send back: JSON for dicts/lists, text for strings."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON


def not_found(doc: str = "") -> Reply:
    return Reply(404, error("Not Found", doc, 404))


def validation_failed(resource: str, field_name: str, message: str, doc: str = "") -> Reply:
    """The classic 422 object form (`Validation Failed` with `errors[]` objects)."""
    errors = [{"resource": resource, "code": "custom", "field": field_name, "message": message}]
    return Reply(422, error("Validation Failed", doc, 422, errors))


def unprocessable(message: str, doc: str = "") -> Reply:
    """The modern 422 form: `errors` is a list of strings."""
    return Reply(422, error("Unprocessable Entity", doc, 422, [message]))


def body_too_long(resource: str, text: Any) -> Reply | None:
    """GitHub refuses bodies over 65,536 characters."""
    if isinstance(text, str) and len(text) > MAX_BODY:
        return validation_failed(
            resource, "body", f"Body is too long (maximum is {MAX_BODY} characters)"
        )
    return None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def paginate(base_url: str, req: Request, items: list[Any], *, default: int = 30) -> Reply:
    """One page of `items` with GitHub's absolute `Link` header (prev, next, last, first)."""
    per_page = min(max(_int(req.query.get("per_page"), default), 1), 100)
    page = max(_int(req.query.get("page"), 1), 1)
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = items[(page - 1) * per_page : page * per_page]

    def link(number: int, rel: str) -> str:
        query = {**req.query, "per_page": str(per_page), "page": str(number)}
        return f'<{base_url}{req.path}?{urlencode(query)}>; rel="{rel}"'

    links = []
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links.append(link(1, "first"))
    headers = {"link": ", ".join(links)} if links else {}
    return Reply(200, chunk, headers)
