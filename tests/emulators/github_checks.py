"""Check runs in the GitHub emulator: create, update (annotations appended), read.

Enforces the Checks API's rules the bot must respect: at most 50 annotations per request,
`output.title` and `output.summary` required, 65,535 characters of summary or text, valid
levels, a conclusion only with `completed`, and 403 "Resource not accessible by integration"
for a token without `checks: write`. https://docs.github.com/en/rest/checks/runs
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.emulators import github_models as models
from tests.emulators.github_http import Reply, Request, not_found, paginate, unprocessable
from tests.emulators.github_models import error
from tests.emulators.github_state import Repo, timestamp

if TYPE_CHECKING:
    from tests.emulators.github import GitHubEmulator

MAX_ANNOTATIONS = 50
MAX_TEXT = 65_535
MAX_TITLE = 255
MAX_MESSAGE = 64 * 1024
STATUSES = ("queued", "in_progress", "completed", "waiting", "requested", "pending")
CONCLUSIONS = (
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "timed_out",
)
LEVELS = ("notice", "warning", "failure")
DOC = "/checks/runs"
ACTIONS_APP_ID = 15368


def _repo(emu: GitHubEmulator, req: Request) -> Repo | None:
    return emu.state.repos.get((req.params["owner"].lower(), req.params["repo"].lower()))


def _forbidden(req: Request) -> Reply | None:
    if req.token is not None and not req.token.checks:
        return Reply(403, error("Resource not accessible by integration", DOC, 403))
    return None


def _app(emu: GitHubEmulator) -> dict[str, Any]:
    """The GitHub Actions app, which owns check runs created with GITHUB_TOKEN."""
    return {
        "id": ACTIONS_APP_ID,
        "slug": "github-actions",
        "node_id": models.node_id("A", ACTIONS_APP_ID),
        "owner": models.user(emu.urls, "github", "Organization"),
        "name": "GitHub Actions",
        "description": "Automate your workflow from idea to production",
        "external_url": "https://help.github.com/en/actions",
        "html_url": "https://github.com/apps/github-actions",
        "created_at": models.EPOCH,
        "updated_at": models.EPOCH,
        "permissions": {"checks": "write", "metadata": "read", "contents": "write"},
        "events": ["check_run", "check_suite"],
    }


def _annotation_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return "an annotation must be an object"
    for key in ("path", "start_line", "end_line", "annotation_level", "message"):
        if item.get(key) in (None, ""):
            return f"annotation is missing {key}"
    if not isinstance(item["start_line"], int) or not isinstance(item["end_line"], int):
        return "start_line and end_line must be integers"
    if item["start_line"] < 1 or item["end_line"] < item["start_line"]:
        return "end_line must not precede start_line"
    if item["annotation_level"] not in LEVELS:
        return f"annotation_level is not included in the list: {item['annotation_level']}"
    if len(str(item["message"])) > MAX_MESSAGE:
        return "message is too long (maximum is 64 KB)"
    if len(str(item.get("title") or "")) > MAX_TITLE:
        return f"title is too long (maximum is {MAX_TITLE} characters)"
    columns = item.get("start_column") is not None or item.get("end_column") is not None
    if columns and item["start_line"] != item["end_line"]:
        return "columns are only allowed when start_line equals end_line"
    return None


def _output_problem(output: Any) -> str | None:
    """What GitHub refuses in `output` (None when it is fine or absent)."""
    if output is None:
        return None
    if not isinstance(output, dict):
        return "output must be an object"
    if not output.get("title") or not output.get("summary"):
        return "output needs a title and a summary"
    for key in ("summary", "text"):
        if len(str(output.get(key) or "")) > MAX_TEXT:
            return f"Only {MAX_TEXT} characters are allowed in output.{key}"
    notes = output.get("annotations") or []
    if len(notes) > MAX_ANNOTATIONS:
        return f"Only {MAX_ANNOTATIONS} annotations are allowed per request"
    for item in notes:
        if (problem := _annotation_problem(item)) is not None:
            return problem
    return None


def _state_problem(body: dict[str, Any]) -> str | None:
    status, conclusion = body.get("status"), body.get("conclusion")
    if status is not None and status not in STATUSES:
        return f"status is not included in the list: {status}"
    if conclusion is not None and conclusion not in CONCLUSIONS:
        return f"conclusion is not included in the list: {conclusion}"
    if status == "completed" and conclusion is None:
        return "conclusion is required when status is completed"
    return None


def _apply(emu: GitHubEmulator, run: dict[str, Any], body: dict[str, Any]) -> None:
    """Update a stored run: status and conclusion, output fields, appended annotations."""
    now = timestamp()
    if body.get("conclusion") is not None:
        run.update(status="completed", conclusion=body["conclusion"], completed_at=now)
    elif body.get("status") is not None:
        run["status"] = body["status"]
        if body["status"] == "in_progress" and run["started_at"] is None:
            run["started_at"] = now
    output = body.get("output")
    if isinstance(output, dict):
        for key in ("title", "summary", "text"):
            if key in output:
                run["output"][key] = output[key]
        for item in output.get("annotations") or []:
            run["_annotations"].append(_stored_annotation(emu, run, item))
        run["output"]["annotations_count"] = len(run["_annotations"])


def _stored_annotation(
    emu: GitHubEmulator, run: dict[str, Any], item: dict[str, Any]
) -> dict[str, Any]:
    """A CheckAnnotation as GitHub lists it."""
    return {
        "path": item["path"],
        "start_line": item["start_line"],
        "end_line": item["end_line"],
        "start_column": item.get("start_column"),
        "end_column": item.get("end_column"),
        "annotation_level": item["annotation_level"],
        "title": item.get("title"),
        "message": item["message"],
        "raw_details": item.get("raw_details"),
        "blob_href": f"{emu.urls.web}/{run['_repo']}/blob/{run['head_sha']}/{item['path']}",
    }


def public(run: dict[str, Any]) -> dict[str, Any]:
    """The run without the emulator's private keys (those starting with `_`)."""
    return {key: value for key, value in run.items() if not key.startswith("_")}


def create_check_run(emu: GitHubEmulator, req: Request) -> Reply:
    repo = _repo(emu, req)
    if repo is None:
        return not_found(DOC + "#create-a-check-run")
    if (refused := _forbidden(req)) is not None:
        return refused
    body = req.json()
    if not isinstance(body.get("name"), str) or not body["name"]:
        return unprocessable("name wasn't supplied.", DOC)
    sha = body.get("head_sha")
    known = {s for pull in repo.pulls.values() for s in (*pull.shas, pull.base_sha)}
    if not isinstance(sha, str) or sha not in known:
        return unprocessable(f"No commit found for SHA: {sha}", DOC)
    problem = _state_problem(body) or _output_problem(body.get("output"))
    if problem is not None:
        return unprocessable(problem, DOC)
    rid = emu.state.next_id()
    api = f"{emu.url}/repos/{repo.full_name}/check-runs/{rid}"
    web = f"{emu.urls.web}/{repo.full_name}/runs/{rid}"
    run: dict[str, Any] = {
        "id": rid,
        "head_sha": sha,
        "node_id": models.node_id("CR", rid),
        "external_id": body.get("external_id") or "",
        "url": api,
        "html_url": web,
        "details_url": body.get("details_url") or web,
        "status": "queued",
        "conclusion": None,
        "started_at": body.get("started_at") or timestamp(),
        "completed_at": None,
        "output": {
            "title": None,
            "summary": None,
            "text": None,
            "annotations_count": 0,
            "annotations_url": f"{api}/annotations",
        },
        "name": body["name"],
        "check_suite": {"id": rid + 1_000_000},
        "app": _app(emu),
        "pull_requests": [],
        "_repo": repo.full_name,
        "_annotations": [],
        "_requests": 1,
    }
    _apply(emu, run, body)
    repo.check_runs[rid] = run
    return Reply(201, public(run))


def update_check_run(emu: GitHubEmulator, req: Request) -> Reply:
    repo = _repo(emu, req)
    run = repo.check_runs.get(int(req.params["check_run_id"])) if repo else None
    if run is None:
        return not_found(DOC + "#update-a-check-run")
    if (refused := _forbidden(req)) is not None:
        return refused
    body = req.json()
    problem = _state_problem(body) or _output_problem(body.get("output"))
    if problem is not None:
        return unprocessable(problem, DOC)
    _apply(emu, run, body)
    run["_requests"] += 1
    return Reply(200, public(run))


def get_check_run(emu: GitHubEmulator, req: Request) -> Reply:
    repo = _repo(emu, req)
    run = repo.check_runs.get(int(req.params["check_run_id"])) if repo else None
    if run is None:
        return not_found(DOC + "#get-a-check-run")
    return Reply(200, public(run))


def list_annotations(emu: GitHubEmulator, req: Request) -> Reply:
    repo = _repo(emu, req)
    run = repo.check_runs.get(int(req.params["check_run_id"])) if repo else None
    if run is None:
        return not_found(DOC + "#list-check-run-annotations")
    return paginate(emu.url, req, run["_annotations"])


_RUN = r"/check-runs/(?P<check_run_id>\d+)"
# (method, pattern under /repos/{owner}/{repo}, handler), registered in github_routes.ROUTES.
CHECK_ROUTES = [
    ("POST", r"/check-runs", create_check_run),
    ("PATCH", _RUN, update_check_run),
    ("GET", _RUN, get_check_run),
    ("GET", _RUN + r"/annotations", list_annotations),
]
