"""Read a local git repository: the diff of a range and files at its ends.

Only runs git plumbing with fixed arguments; never checks out or runs repository code.
External diff drivers and textconv filters are disabled because they execute programs.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.errors import GitError

_SAFE = ["-c", "core.quotepath=on", "-c", "diff.noprefix=false", "-c", "color.ui=never"]


def _git(repo: Path, *args: str) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *_SAFE, *args], capture_output=True, check=False, timeout=120
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than 120 s") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[0] if message else 'unknown error'}")
    return proc.stdout


def resolve(repo: Path, ref: str) -> str:
    """The commit a ref names; a clear error for a ref that does not exist."""
    if ref.startswith("-"):
        raise GitError(f"not a git ref: {ref!r}")
    if not repo.is_dir():
        raise GitError(f"{repo}: no such directory (--repo)")
    try:
        _git(repo, "rev-parse", "--git-dir")
    except GitError:
        raise GitError(f"{repo} is not a git repository (--repo)") from None
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(f"git ref {ref!r} does not exist in {repo}") from None


def range_diff(repo: Path, base: str, head: str | None) -> bytes:
    """The diff of a PR-like range: from the merge base of base and head to head."""
    base_sha = resolve(repo, base)
    head_sha = resolve(repo, head or "HEAD")
    return _git(
        repo,
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "-M",
        f"{base_sha}...{head_sha}",
    )


@dataclass(frozen=True)
class GitSource:
    """File contents at the two ends of a local range (a ContentSource)."""

    repo: Path
    base: str
    head: str

    def read(self, path: str, *, side: Literal["base", "head"]) -> str | None:
        ref = self.base if side == "base" else self.head
        try:
            data = _git(self.repo, "show", "--no-textconv", f"{ref}:{path}")
        except GitError:
            return None
        return data.decode("utf-8", errors="replace")

    @classmethod
    def for_range(cls, repo: Path, base: str, head: str | None) -> GitSource:
        base_sha = resolve(repo, base)
        head_sha = resolve(repo, head or "HEAD")
        merge_base = _git(repo, "merge-base", base_sha, head_sha).decode().strip()
        return cls(repo=repo, base=merge_base or base_sha, head=head_sha)
