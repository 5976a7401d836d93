"""action.yml and the workflows: every input reaches something that reads it, nothing is injectable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.action.report import outputs
from bot.config import Settings
from bot.github.event import PullSnapshot
from bot.github.plan import Plan
from bot.pr.report import Outcome
from bot.review.result import ReviewResult

ROOT = Path(__file__).parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
REVIEW = next(s for s in STEPS if s.get("id") == "review")
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
# Read by the runner or bot.action.main itself rather than through Settings.
RUNNER_VARIABLES = {"VENV"}


def settings_aliases() -> set[str]:
    return {f.alias for f in Settings.model_fields.values() if f.alias}


def input_uses(name: str) -> list[str]:
    """Where `inputs.<name>` is consumed: env variable names of the review step, or `with:` keys."""
    needle = re.compile(r"\$\{\{\s*inputs\." + re.escape(name) + r"\s*\}\}")
    found = [key for key, value in (REVIEW.get("env") or {}).items() if needle.search(str(value))]
    for step in STEPS:
        found += [f"with:{k}" for k, v in (step.get("with") or {}).items() if needle.search(str(v))]
    return found


@pytest.mark.parametrize("name", sorted(ACTION["inputs"]))
def test_every_input_is_read(name: str) -> None:
    """Each input maps to an environment variable Settings reads (or to a step's `with:`)."""
    uses = input_uses(name)
    assert uses, f"input {name!r} is never used"
    for use in uses:
        assert use.startswith("with:") or use in settings_aliases(), (
            f"input {name!r} maps to {use}, which nothing reads"
        )


def test_every_review_env_variable_is_read() -> None:
    """No variable in the review step's env is left for nobody."""
    for key in REVIEW["env"]:
        assert key in settings_aliases() | RUNNER_VARIABLES, key


def test_no_expression_inside_run_scripts() -> None:
    """`${{ }}` in a run script pastes text into the shell: inputs go through env only."""
    for step in STEPS:
        assert "${{" not in step.get("run", ""), step.get("name")


def test_blank_inputs_are_unset_before_running() -> None:
    """Every optional input variable is unset when blank, so defaults apply."""
    script = REVIEW["run"]
    for key, value in REVIEW["env"].items():
        if "inputs." in str(value) and key != "GITHUB_TOKEN":
            assert key in script, f"{key} is not unset when blank"


def test_outputs_match_what_the_action_writes() -> None:
    """The declared outputs are exactly the step outputs bot.action.main writes."""
    result = ReviewResult(reports=[], findings=[], comments=[], summary_only=[])
    pull = PullSnapshot("b" * 40, "a" * 40, "main", "t", None, False, "open", None)
    plan = Plan(event="COMMENT", batches=[], file_comments=[], duplicates=[])
    outcome = Outcome(result=result, pull=pull, number=1, config_hash="0", earlier=None, plan=plan)
    assert set(ACTION["outputs"]) == set(outputs(outcome))
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.review.outputs.{name} }}}}"


def _uses(path: Path) -> list[str]:
    doc = yaml.safe_load(path.read_text())
    steps = [s for job in doc.get("jobs", {}).values() for s in job.get("steps", [])]
    steps += doc.get("runs", {}).get("steps", [])
    return [s["uses"] for s in steps if "uses" in s]


@pytest.mark.parametrize(
    "path",
    [
        "action.yml",
        ".github/workflows/ci.yml",
        ".github/workflows/backend-review.yml",
        "examples/workflow.yml",
    ],
)
def test_actions_are_pinned_to_commit_shas(path: str) -> None:
    for uses in _uses(ROOT / path):
        assert uses == "./" or SHA_PIN.match(uses.split(" ")[0]), uses


@pytest.mark.parametrize("path", [".github/workflows/backend-review.yml", "examples/workflow.yml"])
def test_review_workflow(path: str) -> None:
    """Three triggers, least permissions, one run per PR, commands only from PR comments."""
    doc = yaml.safe_load((ROOT / path).read_text())
    on = doc[True]  # YAML 1.1 reads the key `on` as true
    assert on["pull_request"]["types"] == ["opened", "synchronize", "reopened", "ready_for_review"]
    assert on["issue_comment"]["types"] == ["created"]
    assert "pr-number" in on["workflow_dispatch"]["inputs"]
    assert doc["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "issues": "write",
        "checks": "write",
    }
    assert doc["concurrency"]["cancel-in-progress"] is True
    job = doc["jobs"]["review"]
    assert "github.event.issue.pull_request" in job["if"]
    assert "startsWith(github.event.comment.body, '/backend-review')" in job["if"]
    step = job["steps"][-1]
    assert "secrets.ANTHROPIC_API_KEY" in step["with"]["anthropic-api-key"]
    assert set(step["with"]) <= set(ACTION["inputs"])


def test_ci_workflow_runs_the_ci_script() -> None:
    doc = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    runs = [s.get("run") for job in doc["jobs"].values() for s in job["steps"]]
    assert ".ci/run" in runs
    assert doc["permissions"] == {"contents": "read"}
