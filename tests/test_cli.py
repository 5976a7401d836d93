"""The command line: exit codes, one-line errors, output formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "orders-api.diff"


def test_json_output_has_the_documented_shape(capsys: object) -> None:
    """--format json prints one document with files, findings, comments, summary, usage."""
    code = main(["review", str(EXAMPLE), "--format", "json", "--no-llm"])
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    doc = json.loads(out)
    assert code == 0
    assert {"files", "findings", "comments", "summary", "usage"} <= doc.keys()
    paths = {f["path"]: f for f in doc["files"]}
    assert paths["package-lock.json"]["skip_reason"] == "lockfile"
    assert "migration" in paths["migrations/versions/20261120_add_order_status.py"]["categories"]


def test_missing_file_is_one_line_exit_2(capsys: object) -> None:
    """An unreadable diff file gives one line on stderr and exit code 2."""
    code = main(["review", "does-not-exist.diff"])
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert code == 2
    assert err.count("\n") == 1 and "does-not-exist.diff" in err


def test_not_a_diff_is_exit_2(tmp_path: Path, capsys: object) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\nworld\n")
    assert main(["review", str(bad)]) == 2
    assert "not a unified diff" in capsys.readouterr().err  # type: ignore[attr-defined]


def test_without_key_the_model_is_skipped_and_said(capsys: object) -> None:
    """No ANTHROPIC_API_KEY: checks only, and the output says the model review was skipped."""
    assert main(["review", str(EXAMPLE)]) == 0
    captured = capsys.readouterr()  # type: ignore[attr-defined]
    assert "no ANTHROPIC_API_KEY" in captured.err


def test_bad_config_names_the_key(tmp_path: Path, capsys: object) -> None:
    cfg = tmp_path / "c.yml"
    cfg.write_text("checks:\n  severity:\n    ban-drop-column: huge\n")
    assert main(["review", str(EXAMPLE), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "checks.severity.ban-drop-column" in err


def test_unknown_option_exit_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "review", "--bogus"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "Traceback" not in proc.stderr


def test_unknown_git_ref_exit_2(tmp_path: Path, capsys: object) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert main(["review", "--base", "no-such-ref", "--repo", str(tmp_path)]) == 2
    assert "no-such-ref" in capsys.readouterr().err  # type: ignore[attr-defined]


def test_version_is_fast_and_does_not_import_sdks() -> None:
    """--version must not import anthropic or githubkit (they cost seconds)."""
    code = (
        "import sys; from bot.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "assert 'anthropic' not in sys.modules and 'githubkit' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "backend-review" in proc.stdout


def test_repo_that_is_not_git_says_so(tmp_path: Path, capsys: object) -> None:
    """--repo pointing at a plain folder names the folder, not a missing ref."""
    assert main(["review", "--base", "HEAD", "--repo", str(tmp_path)]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "is not a git repository" in err and err.count("\n") == 1
