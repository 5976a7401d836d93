"""Reading a PR: GitHub's file rows as diffs, our earlier markers, and the githubkit edge itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.action.workflow_io import format_outputs, notice, write_outputs
from bot.config import RepoConfig
from bot.errors import GitHubError
from bot.github.client import GitHubRepo, RequestFailedError, WriteRequest, open_github
from bot.github.contents import GitHubSource
from bot.github.read import (
    changed_since,
    config_hash,
    file_diff,
    find_summary,
    posted_fingerprints,
    truncated_tails,
)
from bot.markers import SummaryState, fingerprint_marker, summary_marker
from tests.action_support import NAME, NUMBER, OWNER, add_pr
from tests.emulators.github import GitHubEmulator

PATCH = "@@ -1,2 +1,3 @@\n a\n+b\n c"


def test_file_rows_become_diffs() -> None:
    """Statuses map to ours; renames keep the old path; copies are added files."""
    modified = file_diff({"filename": "x.py", "status": "modified", "patch": PATCH})
    assert modified.status == "modified" and 2 in modified.right_anchors
    renamed = file_diff(
        {"filename": "n.py", "status": "renamed", "previous_filename": "o.py", "patch": PATCH}
    )
    assert renamed.old_path == "o.py"
    copied = file_diff({"filename": "c.py", "status": "copied", "previous_filename": "o.py"})
    assert copied.copied and copied.status == "added" and copied.patch_missing


@pytest.mark.parametrize(
    "row",
    [
        pytest.param({"filename": "big.sql", "status": "modified"}, id="no-patch"),
        pytest.param(
            {"filename": "t.sql", "status": "modified", "additions": 0, "deletions": 0},
            id="zeroed-row",
        ),
        pytest.param({"filename": "x.png", "status": "added", "patch": ""}, id="binary"),
        pytest.param({"filename": "w.py", "status": "modified", "patch": "@@ nonsense"}, id="bad"),
    ],
)
def test_rows_without_a_usable_patch(row: dict[str, Any]) -> None:
    """No patch (binary, too large, a zeroed row of a big page) or a broken one: not inline."""
    diff = file_diff(row)
    assert diff.patch_missing and diff.hunks == ()


def comment(
    body: str,
    *,
    login: str = "github-actions[bot]",
    kind: str = "Bot",
    assoc: str = "NONE",
    cid: int = 1,
) -> dict[str, Any]:
    return {
        "id": cid,
        "body": body,
        "html_url": f"https://x/{cid}",
        "user": {"login": login, "type": kind},
        "author_association": assoc,
    }


def test_only_trusted_markers_count() -> None:
    """Markers pasted by outsiders could silence findings or fake the last head: ignored."""
    marker = summary_marker(SummaryState("b" * 40, "c" * 16, frozenset({"ab" * 8})))
    fake = comment("quoted " + marker, login="mallory", kind="User", cid=1)
    ours = comment("summary\n" + marker, cid=2)
    earlier = find_summary([fake, ours])
    assert earlier is not None and earlier.comment_id == 2
    assert earlier.state is not None and earlier.state.head_sha == "b" * 40
    member = comment(marker, login="maria", kind="User", assoc="MEMBER", cid=3)
    assert find_summary([member]) is not None
    fp = fingerprint_marker("0123456789abcdef")
    assert posted_fingerprints([comment(fp, login="mallory", kind="User")]) == set()
    assert posted_fingerprints([comment(fp)]) == {"0123456789abcdef"}


def test_changed_since() -> None:
    """Only a fast-forward gives an incremental review; force-push or too many files: full."""
    rows = [{"filename": "a.py"}, {"filename": "b.py", "previous_filename": "old.py"}]
    assert changed_since({"status": "ahead", "files": rows}) == {"a.py", "b.py", "old.py"}
    assert changed_since({"status": "diverged", "files": rows}) is None
    assert changed_since({"status": "behind", "files": []}) is None
    assert changed_since(None) is None
    assert changed_since({"status": "ahead", "files": [{"filename": "x"}] * 300}) is None


def test_config_hash_changes_with_config_and_model() -> None:
    base = config_hash(RepoConfig(), "m1")
    assert base == config_hash(RepoConfig(), "m1")
    assert base != config_hash(RepoConfig(min_severity="high"), "m1")
    assert base != config_hash(RepoConfig(), "m2")


def test_outputs_format(tmp_path: Path) -> None:
    """Single-line values as name=value; multi-line values with a random heredoc delimiter."""
    text = format_outputs({"a": "1", "b": "x\ny"})
    lines = text.splitlines()
    assert lines[0] == "a=1" and lines[1].startswith("b<<EOF_") and lines[-1] == lines[1][3:]
    out = tmp_path / "out"
    assert write_outputs(str(out), {"a": "1"}) and out.read_text() == "a=1\n"
    assert not write_outputs(None, {"a": "1"})


def test_notice_escapes_newlines(capsys: pytest.CaptureFixture[str]) -> None:
    notice("a\nb%")
    assert capsys.readouterr().out == "::notice::a%0Ab%25\n"


class Reader:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail = fail

    def content(self, path: str, ref: str) -> str | None:
        self.calls.append((path, ref))
        if self.fail:
            raise GitHubError("boom")
        return f"{path}@{ref}"


def test_github_source_reads_lazily_once() -> None:
    reader = Reader()
    source = GitHubSource(reader, base_sha="a", head_sha="b", max_reads=2)
    assert source.read("x.py", side="head") == "x.py@b"
    assert source.read("x.py", side="head") == "x.py@b"
    assert source.read("x.py", side="base") == "x.py@a"
    assert source.read("y.py", side="head") is None  # over the read budget
    assert reader.calls == [("x.py", "b"), ("x.py", "a")] and source.reads == 2


def test_github_source_survives_errors() -> None:
    assert (
        GitHubSource(Reader(fail=True), base_sha="a", head_sha="b").read("x", side="head") is None
    )


# ------------------------------------------------------------ the githubkit edge, on the emulator


def many_files(n: int) -> list[dict[str, Any]]:
    return [
        {"filename": f"src/f{i}.py", "status": "added", "patch": "@@ -0,0 +1 @@\n+x = 1"}
        for i in range(n)
    ]


def test_files_paginate_up_to_3000(github_emulator: GitHubEmulator) -> None:
    """All pages are read (100 per page), and no more than GitHub's 3,000 files."""
    add_pr(github_emulator, files=many_files(3_050))
    with open_github("t", base_url=github_emulator.url, timeout=10) as gh:
        rows = GitHubRepo(gh, f"{OWNER}/{NAME}").files(NUMBER)
    assert len(rows) == 3_000
    assert github_emulator.count("GET", r"/pulls/42/files$") == 30


def test_enterprise_base_path(github_emulator: GitHubEmulator) -> None:
    """A GHES-style base URL with a path (/api/v3) keeps its path for every request."""
    add_pr(github_emulator)
    github_emulator.add_file_content(OWNER, NAME, "a b/ü.py", "main", "x = 1\n")
    with open_github("t", base_url=github_emulator.url + "/api/v3", timeout=10) as gh:
        repo = GitHubRepo(gh, f"{OWNER}/{NAME}")
        with pytest.raises(RequestFailedError) as info:
            repo.pull(NUMBER)
    assert info.value.status == 404  # the emulator serves no /api/v3 prefix: the path was kept
    assert github_emulator.requests[-1].path == "/api/v3/repos/acme/shop/pulls/42"


def test_contents_permission_and_compare(github_emulator: GitHubEmulator) -> None:
    add_pr(github_emulator)
    github_emulator.add_file_content(OWNER, NAME, "a b/ü.py", "main", "x = 1\n")
    with open_github("t", base_url=github_emulator.url, timeout=10) as gh:
        repo = GitHubRepo(gh, f"{OWNER}/{NAME}")
        assert repo.content("a b/ü.py", "main") == "x = 1\n"
        assert repo.content("missing.py", "main") is None
        assert repo.permission("alice") == ("write", "write")
        assert repo.permission("nobody-at-all")[0] == "none"
        assert repo.compare("c" * 40, "b" * 40) is None


def test_errors_are_one_line_without_token(github_emulator: GitHubEmulator) -> None:
    """A refused write: status and GitHub's message, never the token."""
    add_pr(github_emulator)
    github_emulator.set_token("secret-ro", read_only=True)
    with open_github("secret-ro", base_url=github_emulator.url, timeout=10) as gh:
        repo = GitHubRepo(gh, f"{OWNER}/{NAME}")
        with pytest.raises(RequestFailedError) as info:
            repo.send(WriteRequest("POST", repo.prefix + "/issues/42/comments", {"body": "x"}))
    assert info.value.forbidden and "Resource not accessible" in str(info.value)
    assert "secret-ro" not in str(info.value) and "\n" not in str(info.value)


def test_server_errors_are_retried(github_emulator: GitHubEmulator) -> None:
    add_pr(github_emulator)
    github_emulator.fail_next("GET", r"/pulls/42$", 502, times=2)
    with open_github("t", base_url=github_emulator.url, timeout=10, delay=0) as gh:
        assert GitHubRepo(gh, f"{OWNER}/{NAME}").pull(NUMBER)["number"] == NUMBER
    assert github_emulator.count("GET", r"/pulls/42$") == 3


def big_files(n: int, lines: int) -> list[dict[str, Any]]:
    body = "\n".join(f"+row {k}" for k in range(lines))
    return [
        {"filename": f"db/big{i}.sql", "status": "added", "patch": f"@@ -0,0 +1,{lines} @@\n{body}"}
        for i in range(n)
    ]


def test_truncated_tails() -> None:
    """Only a zeroed tail after many patch lines is suspect; a binary file after small ones is not."""
    patch = "@@ -0,0 +1 @@\n" + "\n".join("+x" for _ in range(3_000))
    rows = [{"filename": f"f{i}", "patch": patch, "additions": 3_000} for i in range(3)]
    rows += [{"filename": f"z{i}", "additions": 0, "deletions": 0} for i in range(4)]
    assert truncated_tails(rows, page_size=100) == [(3, 7)]
    small = [{"filename": "a", "patch": "@@ -0,0 +1 @@\n+x", "additions": 1}, {"filename": "b.png"}]
    assert truncated_tails(small, page_size=100) == []


def test_rows_cut_from_a_heavy_page_are_read_again(github_emulator: GitHubEmulator) -> None:
    """GitHub drops patches past ~20k lines per page: those rows are re-read 10 at a time."""
    add_pr(github_emulator, files=big_files(100, 400))  # 40,000 patch lines on one page
    with open_github("t", base_url=github_emulator.url, timeout=10) as gh:
        rows = GitHubRepo(gh, f"{OWNER}/{NAME}").files(NUMBER)
    assert len(rows) == 100 and all(r.get("patch") for r in rows)
    assert github_emulator.count("GET", r"/pulls/42/files$") <= 1 + 6
