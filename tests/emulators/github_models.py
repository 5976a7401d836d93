"""JSON object builders for the GitHub emulator.

githubkit validates every response with its pydantic models when `.parsed_data` is read, so these build
complete objects (all required fields, `_links`, full users and repositories), not just what the bot reads.
"""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass
from typing import Any

from tests.emulators.github_diff import blob_sha
from tests.emulators.github_state import LEGACY_PERMISSION, Compare, Pull, Repo, timestamp

DOCS = "https://docs.github.com/rest"
EPOCH = "2020-01-01T00:00:00Z"


@dataclass(frozen=True)
class Urls:
    """Where links point: the emulator's API root and the web host used in `html_url`s."""

    api: str
    web: str = "https://github.com"


def user_id(login: str) -> int:
    """A stable numeric id per login (the real one for github-actions[bot])."""
    if login == "github-actions[bot]":
        return 41898282
    return zlib.crc32(login.encode()) % 90_000_000 + 1_000_000


def node_id(prefix: str, number: int) -> str:
    return prefix + "_" + base64.b64encode(str(number).encode()).decode().rstrip("=")


def user(urls: Urls, login: str, kind: str = "User") -> dict[str, Any]:
    """A SimpleUser."""
    api = f"{urls.api}/users/{login}"
    uid = user_id(login)
    return {
        "login": login,
        "id": uid,
        "node_id": node_id("U", uid),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{urls.web}/{login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": kind,
        "site_admin": False,
        "user_view_type": "public",
    }


_REPO_TEMPLATES = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def repository(
    urls: Urls, repo: Repo, *, owner: str | None = None, fork: bool = False
) -> dict[str, Any]:
    """A Repository (as nested in pull requests); `owner` overrides it for a fork's head repo."""
    login = owner or repo.owner
    full_name = f"{login}/{repo.name}"
    api = f"{urls.api}/repos/{full_name}"
    web = f"{urls.web}/{full_name}"
    rid = repo.id + (500_000 if fork else 0)
    data: dict[str, Any] = {
        "id": rid,
        "node_id": node_id("R", rid),
        "name": repo.name,
        "full_name": full_name,
        "private": repo.private,
        "owner": user(urls, login, "Organization" if login == repo.owner and not fork else "User"),
        "html_url": web,
        "description": None,
        "fork": fork,
        "url": api,
        **{key: api + suffix for key, suffix in _REPO_TEMPLATES.items()},
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "clone_url": f"{web}.git",
        "svn_url": web,
        "mirror_url": None,
        "homepage": None,
        "language": "Python",
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 100,
        "default_branch": repo.default_branch,
        "open_issues_count": len(repo.pulls),
        "open_issues": len(repo.pulls),
        "is_template": False,
        "topics": [],
        "has_issues": True,
        "has_projects": True,
        "has_wiki": True,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "private" if repo.private else "public",
        "pushed_at": EPOCH,
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "license": None,
        "allow_forking": True,
        "web_commit_signoff_required": False,
    }
    return data


def full_repository(urls: Urls, repo: Repo) -> dict[str, Any]:
    """A FullRepository (`GET /repos/{o}/{r}`)."""
    data = repository(urls, repo)
    data.update(subscribers_count=0, network_count=0)
    return data


def _links(**hrefs: str) -> dict[str, dict[str, str]]:
    return {name: {"href": href} for name, href in hrefs.items()}


def author_association(repo: Repo, login: str) -> str:
    """What GitHub shows next to a login; it says nothing about permissions."""
    if login == repo.owner:
        return "OWNER"
    if repo.permissions.get(login, "none") != "none":
        return "COLLABORATOR"
    return "CONTRIBUTOR"


def _branch(urls: Urls, repo: Repo, pull: Pull, head: bool) -> dict[str, Any]:
    fork = head and pull.head_repo_fork
    owner = pull.user_login if fork else repo.owner
    ref = pull.head_ref if head else pull.base_ref
    return {
        "label": f"{owner}:{ref}",
        "ref": ref,
        "sha": pull.head_sha if head else pull.base_sha,
        "user": user(urls, owner),
        "repo": repository(urls, repo, owner=owner, fork=fork),
    }


def pull_request(urls: Urls, repo: Repo, pull: Pull) -> dict[str, Any]:
    """A full PullRequest (`GET .../pulls/{n}`)."""
    api = f"{urls.api}/repos/{repo.full_name}"
    url = f"{api}/pulls/{pull.number}"
    html = f"{urls.web}/{repo.full_name}/pull/{pull.number}"
    issue = f"{api}/issues/{pull.number}"
    statuses = f"{api}/statuses/{pull.head_sha}"
    closed = pull.state == "closed"
    return {
        "url": url,
        "id": pull.id,
        "node_id": node_id("PR", pull.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{issue}/comments",
        "statuses_url": statuses,
        "number": pull.number,
        "state": pull.state,
        "locked": False,
        "title": pull.title,
        "user": user(urls, pull.user_login),
        "body": pull.body,
        "labels": [],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": pull.created_at,
        "updated_at": pull.updated_at,
        "closed_at": pull.updated_at if closed else None,
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": _branch(urls, repo, pull, head=True),
        "base": _branch(urls, repo, pull, head=False),
        "_links": _links(
            self=url,
            html=html,
            issue=issue,
            comments=f"{issue}/comments",
            review_comments=f"{url}/comments",
            review_comment=f"{api}/pulls/comments{{/number}}",
            commits=f"{url}/commits",
            statuses=statuses,
        ),
        "author_association": author_association(repo, pull.user_login),
        "auto_merge": None,
        "draft": pull.draft,
        "merged": False,
        "mergeable": True,
        "rebaseable": True,
        "mergeable_state": "clean",
        "merged_by": None,
        "comments": len(pull.issue_comments),
        "review_comments": len(pull.review_comments),
        "maintainer_can_modify": False,
        "commits": len(pull.shas),
        "additions": pull.additions,
        "deletions": pull.deletions,
        "changed_files": len(pull.files),
    }


def diff_entry(
    urls: Urls, repo: Repo, ref: str, entry: dict[str, Any], *, truncated: bool = False
) -> dict[str, Any]:
    """A DiffEntry; `patch` is left out (not null) when GitHub would omit it."""
    filename = entry["filename"]
    blob = f"{urls.web}/{repo.full_name}/blob/{ref}/{filename}"
    additions = 0 if truncated else int(entry["additions"])
    deletions = 0 if truncated else int(entry["deletions"])
    data: dict[str, Any] = {
        "sha": None if entry["status"] == "removed" else blob_sha(f"{ref}:{filename}"),
        "filename": filename,
        "status": entry["status"],
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "blob_url": blob,
        "raw_url": blob.replace("/blob/", "/raw/", 1),
        "contents_url": f"{urls.api}/repos/{repo.full_name}/contents/{filename}?ref={ref}",
    }
    if entry.get("patch") is not None and not truncated:
        data["patch"] = entry["patch"]
    if entry.get("previous_filename"):
        data["previous_filename"] = entry["previous_filename"]
    return data


REVIEW_STATES = {
    "COMMENT": "COMMENTED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
    "APPROVE": "APPROVED",
    None: "PENDING",
}


def review(
    urls: Urls,
    repo: Repo,
    pull: Pull,
    *,
    rid: int,
    login: str,
    kind: str,
    body: str,
    state: str,
    commit_id: str,
) -> dict[str, Any]:
    """A PullRequestReview."""
    pull_url = f"{urls.api}/repos/{repo.full_name}/pulls/{pull.number}"
    html = f"{urls.web}/{repo.full_name}/pull/{pull.number}#pullrequestreview-{rid}"
    data = {
        "id": rid,
        "node_id": node_id("PRR", rid),
        "user": user(urls, login, kind),
        "body": body,
        "state": state,
        "html_url": html,
        "pull_request_url": pull_url,
        "_links": _links(html=html, pull_request=pull_url),
        "commit_id": commit_id,
        "author_association": author_association(repo, login),
    }
    if state != "PENDING":
        data["submitted_at"] = timestamp()
    return data


def review_comment(
    urls: Urls,
    repo: Repo,
    pull: Pull,
    *,
    cid: int,
    review_id: int,
    login: str,
    kind: str,
    body: str,
    commit_id: str,
) -> dict[str, Any]:
    """A PullRequestReviewComment without its anchor fields (the caller adds line, side...)."""
    api = f"{urls.api}/repos/{repo.full_name}"
    url = f"{api}/pulls/comments/{cid}"
    pull_url = f"{api}/pulls/{pull.number}"
    html = f"{urls.web}/{repo.full_name}/pull/{pull.number}#discussion_r{cid}"
    now = timestamp()
    return {
        "url": url,
        "pull_request_review_id": review_id,
        "id": cid,
        "node_id": node_id("PRRC", cid),
        "commit_id": commit_id,
        "original_commit_id": commit_id,
        "user": user(urls, login, kind),
        "body": body,
        "created_at": now,
        "updated_at": now,
        "html_url": html,
        "pull_request_url": pull_url,
        "author_association": author_association(repo, login),
        "_links": _links(self=url, html=html, pull_request=pull_url),
    }


def issue_comment(
    urls: Urls, repo: Repo, number: int, *, cid: int, login: str, kind: str, body: str
) -> dict[str, Any]:
    """An IssueComment (PRs are issues: the summary comment lives here)."""
    api = f"{urls.api}/repos/{repo.full_name}"
    now = timestamp()
    return {
        "id": cid,
        "node_id": node_id("IC", cid),
        "url": f"{api}/issues/comments/{cid}",
        "html_url": f"{urls.web}/{repo.full_name}/pull/{number}#issuecomment-{cid}",
        "body": body,
        "user": user(urls, login, kind),
        "created_at": now,
        "updated_at": now,
        "issue_url": f"{api}/issues/{number}",
        "author_association": author_association(repo, login),
    }


def reaction(urls: Urls, *, rid: int, login: str, kind: str, content: str) -> dict[str, Any]:
    """A Reaction."""
    return {
        "id": rid,
        "node_id": node_id("REA", rid),
        "user": user(urls, login, kind),
        "content": content,
        "created_at": timestamp(),
    }


def collaborator_permission(urls: Urls, login: str, role: str) -> dict[str, Any]:
    """A RepositoryCollaboratorPermission: legacy `permission` plus the full `role_name`."""
    legacy = LEGACY_PERMISSION[role]
    collaborator = user(urls, login)
    collaborator["role_name"] = role
    collaborator["permissions"] = {
        "admin": role == "admin",
        "maintain": role in ("admin", "maintain"),
        "push": legacy in ("admin", "write"),
        "triage": role in ("admin", "maintain", "write", "triage"),
        "pull": role != "none",
    }
    return {"permission": legacy, "role_name": role, "user": collaborator}


def content_file(urls: Urls, repo: Repo, path: str, ref: str, text: str) -> dict[str, Any]:
    """A ContentFile: base64 in 60-character lines, as GitHub sends it."""
    raw = base64.b64encode(text.encode()).decode()
    encoded = "\n".join(raw[i : i + 60] for i in range(0, len(raw), 60)) + "\n"
    sha = blob_sha(text)
    url = f"{urls.api}/repos/{repo.full_name}/contents/{path}?ref={ref}"
    html = f"{urls.web}/{repo.full_name}/blob/{ref}/{path}"
    git = f"{urls.api}/repos/{repo.full_name}/git/blobs/{sha}"
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(text.encode()),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": encoded,
        "sha": sha,
        "url": url,
        "git_url": git,
        "html_url": html,
        "download_url": f"https://raw.githubusercontent.com/{repo.full_name}/{ref}/{path}",
        "_links": {"self": url, "git": git, "html": html},
    }


def commit(urls: Urls, repo: Repo, sha: str, message: str, parents: list[str]) -> dict[str, Any]:
    """A Commit as listed in a comparison."""
    api = f"{urls.api}/repos/{repo.full_name}"
    person = {"name": "Alice", "email": "alice@example.com", "date": EPOCH}
    return {
        "url": f"{api}/commits/{sha}",
        "sha": sha,
        "node_id": node_id("C", zlib.crc32(sha.encode())),
        "html_url": f"{urls.web}/{repo.full_name}/commit/{sha}",
        "comments_url": f"{api}/commits/{sha}/comments",
        "commit": {
            "url": f"{api}/git/commits/{sha}",
            "author": person,
            "committer": person,
            "message": message,
            "comment_count": 0,
            "tree": {"sha": blob_sha("tree:" + sha), "url": f"{api}/git/trees/{sha}"},
        },
        "author": user(urls, "alice"),
        "committer": user(urls, "alice"),
        "parents": [
            {
                "sha": p,
                "url": f"{api}/commits/{p}",
                "html_url": f"{urls.web}/{repo.full_name}/commit/{p}",
            }
            for p in parents
        ],
    }


def comparison(urls: Urls, repo: Repo, cmp: Compare) -> dict[str, Any]:
    """A CommitComparison; the commits are invented, one per `ahead_by`."""
    api = f"{urls.api}/repos/{repo.full_name}"
    spec = f"{cmp.base}...{cmp.head}"
    base_sha = blob_sha("ref:" + cmp.base)
    shas = [blob_sha(f"commit:{cmp.head}:{i}") for i in range(cmp.ahead_by)]
    if shas:
        shas[-1] = cmp.head if len(cmp.head) == 40 else shas[-1]
    commits = []
    parent = base_sha
    for i, sha in enumerate(shas):
        commits.append(commit(urls, repo, sha, f"Commit {i + 1}", [parent]))
        parent = sha
    base_commit = commit(urls, repo, base_sha, "Base", [])
    files = [diff_entry(urls, repo, cmp.head, entry) for entry in cmp.files]
    return {
        "url": f"{api}/compare/{spec}",
        "html_url": f"{urls.web}/{repo.full_name}/compare/{spec}",
        "permalink_url": f"{urls.web}/{repo.full_name}/compare/{spec}",
        "diff_url": f"{urls.web}/{repo.full_name}/compare/{spec}.diff",
        "patch_url": f"{urls.web}/{repo.full_name}/compare/{spec}.patch",
        "base_commit": base_commit,
        "merge_base_commit": base_commit,
        "status": cmp.status,
        "ahead_by": cmp.ahead_by,
        "behind_by": cmp.behind_by,
        "total_commits": cmp.ahead_by,
        "commits": commits,
        "files": files,
    }


def error(
    message: str, doc: str = "", status: int | None = None, errors: Any = None
) -> dict[str, Any]:
    """GitHub's error body: `message`, optional `errors`, `documentation_url`, and `status` as a string."""
    data: dict[str, Any] = {"message": message}
    if errors is not None:
        data["errors"] = errors
    data["documentation_url"] = f"{DOCS}{doc}"
    if status is not None:
        data["status"] = str(status)
    return data
