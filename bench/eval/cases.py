"""Read the evaluation cases: `cases/<name>/` with pr.diff, pr.yml, expect.yml and answer.yml.

- `pr.diff`: the pull request as a unified diff (what `backend-review review FILE` reads).
- `pr.yml` (optional): `title`, `description`.
- `expect.yml`: `area` and `ecosystem` (for the report), `problems` (what a senior reviewer must
  raise) and `noise` (lines where any comment would be noise). An empty `problems` list means the
  change is fine.
- `config.yml` (optional): the repository configuration (`.github/backend-review.yml`) the case
  is reviewed with, e.g. `paths.query` for a service layer the classifier cannot recognise.
- `answer.yml` (optional): the `submit_review` input the emulator answers with; without it the
  emulator answers with exactly the expected problems.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from bench.eval.match import Expectation, NoiseSpan, Window
from bot.config import RepoConfig, parse_repo_config
from bot.errors import ConfigError
from bot.models import CATEGORIES, SEVERITIES, Category, FileDiff, Severity, Side

CASES_DIR = Path(__file__).resolve().parent / "cases"


class CaseError(Exception):
    """A case directory that cannot be read; the message names the case and the key."""


@dataclass(frozen=True)
class Case:
    name: str
    diff: bytes
    title: str | None
    description: str | None
    areas: tuple[str, ...]
    ecosystem: str
    problems: tuple[Expectation, ...]
    noise: tuple[NoiseSpan, ...]
    answer: dict[str, Any] | None  # scripted submit_review input, when the case has one
    config: RepoConfig = field(default_factory=RepoConfig)


def _yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CaseError(f"{path}: invalid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CaseError(f"{path}: the top level must be a mapping")
    return cast(dict[str, Any], data)


def _window(raw: object, where: str) -> tuple[int, int]:
    if isinstance(raw, int):
        return raw, raw
    if (
        isinstance(raw, list)
        and len(raw) == 2
        and all(isinstance(n, int) and n >= 1 for n in raw)
        and raw[0] <= raw[1]
    ):
        return raw[0], raw[1]
    raise CaseError(f"{where}: lines must be N or [FIRST, LAST] with 1 <= FIRST <= LAST")


def _side(raw: object, where: str) -> Side:
    side = str(raw or "RIGHT").upper()
    if side not in ("LEFT", "RIGHT"):
        raise CaseError(f"{where}: side must be LEFT or RIGHT")
    return cast(Side, side)


def _categories(raw: object, where: str) -> tuple[Category, ...]:
    values = raw if isinstance(raw, list) else [raw]
    if not values or any(v not in CATEGORIES for v in values):
        raise CaseError(f"{where}: category must be one or a list of {', '.join(CATEGORIES)}")
    return tuple(cast(list[Category], values))


def _severity(raw: object, where: str) -> Severity:
    if raw not in SEVERITIES or raw == "info":
        # info is below the default min_severity, so no finding could ever reach such a floor.
        raise CaseError(f"{where}: severity must be one of critical, high, medium, low")
    return cast(Severity, raw)


def _keywords(raw: object, where: str) -> tuple[tuple[str, ...], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(k, str) and k.strip() for k in raw):
        raise CaseError(f"{where}: keywords must be a list of words, alternatives split by |")
    return tuple(tuple(w.strip() for w in k.split("|") if w.strip()) for k in raw)


def _location(raw: object, where: str) -> Window:
    if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
        raise CaseError(f"{where}: needs a path and lines")
    start, end = _window(raw.get("lines"), where)
    return Window(path=raw["path"], start=start, end=end, side=_side(raw.get("side"), where))


_PROBLEM_KEYS = {"path", "lines", "side", "or", "category", "severity", "keywords", "why"}


def _problem(raw: object, where: str) -> Expectation:
    if not isinstance(raw, dict):
        raise CaseError(f"{where}: a problem needs at least path, lines, category, severity")
    unknown = set(raw) - _PROBLEM_KEYS
    if unknown:
        raise CaseError(f"{where}: unknown keys {sorted(unknown)}")
    more = raw.get("or") or []
    if not isinstance(more, list):
        raise CaseError(f"{where}: or must be a list of {{path, lines}}")
    windows = (_location(raw, where), *(_location(m, f"{where}: or") for m in more))
    return Expectation(
        windows=windows,
        categories=_categories(raw.get("category"), where),
        severity=_severity(raw.get("severity"), where),
        keywords=_keywords(raw.get("keywords"), where),
        why=str(raw.get("why") or ""),
    )


def _noise(raw: object, where: str) -> NoiseSpan:
    if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
        raise CaseError(f"{where}: a noise entry needs a path (and optionally lines)")
    if raw.get("lines") is None:
        return NoiseSpan(path=raw["path"], side=_side(raw.get("side"), where))
    start, end = _window(raw["lines"], where)
    return NoiseSpan(path=raw["path"], start=start, end=end, side=_side(raw.get("side"), where))


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise CaseError(f"{where}: {key} must be a list")
    return value


def load_case(folder: Path) -> Case:
    name = folder.name
    diff_path = folder / "pr.diff"
    if not diff_path.is_file():
        raise CaseError(f"{folder}: pr.diff is missing")
    pr = _yaml(folder / "pr.yml")
    expect_path = folder / "expect.yml"
    if not expect_path.is_file():
        raise CaseError(f"{folder}: expect.yml is missing")
    expect = _yaml(expect_path)
    where = f"{name}/expect.yml"
    areas = expect.get("area") or []
    answer = _yaml(folder / "answer.yml") if (folder / "answer.yml").exists() else None
    config = RepoConfig()
    if (folder / "config.yml").exists():
        text = (folder / "config.yml").read_text(encoding="utf-8")
        try:
            config = parse_repo_config(text, source=f"{name}/config.yml")
        except ConfigError as exc:
            raise CaseError(str(exc)) from None
    return Case(
        name=name,
        diff=diff_path.read_bytes(),
        title=pr.get("title"),
        description=pr.get("description"),
        areas=tuple(areas if isinstance(areas, list) else [areas]),
        ecosystem=str(expect.get("ecosystem") or ""),
        problems=tuple(
            _problem(p, f"{where}: problems[{i}]")
            for i, p in enumerate(_list(expect, "problems", where))
        ),
        noise=tuple(
            _noise(n, f"{where}: noise[{i}]") for i, n in enumerate(_list(expect, "noise", where))
        ),
        answer=answer,
        config=config,
    )


def load_cases(pattern: str = "*", root: Path = CASES_DIR) -> list[Case]:
    """Every case whose folder name matches the glob, sorted by name."""
    folders = sorted(p for p in root.iterdir() if p.is_dir() and fnmatch.fnmatch(p.name, pattern))
    return [load_case(p) for p in folders]


def anchor_line(window: Window, files: Sequence[FileDiff]) -> int | None:
    """A commentable line inside the window (a changed one when there is one)."""
    file = next((f for f in files if f.path == window.path), None)
    if file is None:
        return None
    anchors = file.anchors(window.side)
    changed = {
        (ln.new_no if window.side == "RIGHT" else ln.old_no)
        for h in file.hunks
        for ln in h.lines
        if ln.kind in "+-"
    }
    inside = [n for n in range(window.start, window.end + 1) if n in anchors]
    preferred = [n for n in inside if n in changed]
    return (preferred or inside)[0] if inside else None
