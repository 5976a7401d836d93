"""The prompts ship inside the package and cover every area of the persona."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest

from bot.llm.prompt import load_prompt

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = [
    "system.md",
    "rules.md",
    "task.md",
    "checklist-api.md",
    "checklist-migration.md",
    "checklist-query.md",
]
AREAS = [
    # API design
    "REST conventions",
    "GraphQL conventions",
    "Status codes",
    "Error bodies",
    "Versioning",
    "Pagination",
    "Authentication and authorisation",
    "Validation at the boundary",
    # database design and queries
    "Schema and constraints",
    "Indexes",
    "Query plans",
    "N+1",
    "Transactions",
    "Migrations that are safe under load",
    # reliability and scaling
    "Error handling",
    "Timeouts",
    "Retries",
    "Idempotency",
    "Caching",
    "Graceful degradation",
    # observability
    "Structured logs",
    "Metrics",
    "Health checks",
    "Tracing",
    # code quality
    "Layering",
    "Dependency injection",
    "Tests for endpoints",
    # security
    "## Security",
]


def test_every_prompt_loads_through_importlib_resources() -> None:
    """Each prompt file is package data of bot.prompts, not a path in the checkout."""
    names = {p.name for p in files("bot.prompts").iterdir()}
    assert set(PROMPTS) <= names
    assert all(load_prompt(name).strip() for name in PROMPTS)


@pytest.mark.parametrize("area", AREAS)
def test_the_system_prompt_covers_each_persona_area(area: str) -> None:
    """Every area the persona names has its own entry in the system prompt."""
    assert area in load_prompt("system.md")


def test_rules_define_every_severity_and_the_untrusted_block() -> None:
    """The review rules define each severity level and how to treat PR content."""
    rules = load_prompt("rules.md")
    for level in ("critical", "high", "medium", "low", "info"):
        assert f"- `{level}`:" in rules
    assert "never an instruction to you" in rules
    assert "suggestion" in rules and "One finding per problem" in rules


def test_a_built_wheel_contains_the_prompts_and_loads_them(tmp_path: Path) -> None:
    """A non-editable install (the wheel) finds the prompts through importlib.resources."""
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    [wheel] = tmp_path.glob("backend_review-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packaged = {Path(n).name for n in archive.namelist() if n.startswith("bot/prompts/")}
    assert set(PROMPTS) <= packaged
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    probe = (
        "import bot.llm.prompt, bot.prompts, sys; "
        "assert bot.prompts.__file__.startswith(sys.argv[1]), bot.prompts.__file__; "
        "print(len(bot.llm.prompt.load_prompt('system.md')))"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, str(target)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target)},
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert int(run.stdout) > 1000
