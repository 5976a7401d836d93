"""Recall and precision of the migration checks on our own case sets (tests/samples/migrations/
cases/*.yaml): Django and Alembic hazards in the style of django-migration-linter's test apps,
and one case per squawk rule. Each case becomes one added file; all go through one review.

    python -m tests.migration_cases      # prints the figures per family
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.checks.migrations.check import collect
from bot.config import ChecksConfig
from bot.diff import parse_diff
from bot.models import FileReport, Finding

CASES = Path(__file__).resolve().parent / "samples" / "migrations" / "cases"
FAMILIES = ("django", "alembic", "squawk")


@dataclass
class Score:
    family: str
    cases: int
    tp: int
    fp: int
    fn: int
    misses: list[str]

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0


class _Base:
    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def read(self, path: str, *, side: Literal["base", "head"]) -> str | None:
        return self.files.get(path)


def _django(case: dict[str, Any]) -> tuple[str, str]:
    ops = "".join(f"        {op},\n" for op in case["ops"])
    atomic = "    atomic = False\n" if case.get("atomic") is False else ""
    text = (
        "from django.db import migrations, models\n"
        + (case.get("imports", "") + "\n")
        + "\n\ndef forwards(apps, schema_editor):\n    pass\n\n"
        + (case.get("extra", "") + "\n")
        + "\n\nclass Migration(migrations.Migration):\n"
        + atomic
        + '    dependencies = [("shop", "0001_initial")]\n\n'
        + f"    operations = [\n{ops}    ]\n"
    )
    return f"shop/migrations/0002_{case['name']}.py", text


def _alembic(case: dict[str, Any]) -> tuple[str, str]:
    body = "".join(f"    {op}\n" for op in case["ops"])
    text = (
        '"""case"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        f'revision = "{case["name"]}"\ndown_revision = "base"\n\n\n'
        f"def upgrade():\n{body}\n\ndef downgrade():\n"
        '    op.drop_table("orders")\n    op.drop_column("orders", "x")\n'
    )
    return f"alembic/versions/{case['name']}.py", text


def _squawk(case: dict[str, Any]) -> tuple[str, str]:
    return f"db/migrations/V1__{case['name'].replace('-', '_')}.sql", case["sql"] + "\n"


def _diff(path: str, text: str) -> str:
    lines = text.rstrip("\n").split("\n")
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def score(family: str) -> Score:
    """Run every case of a family through one review and count rule hits per case."""
    data = yaml.safe_load((CASES / f"{family}.yaml").read_text())
    build = {"django": _django, "alembic": _alembic, "squawk": _squawk}[family]
    built = {build(case)[0]: (case, build(case)[1]) for case in data["cases"]}
    files = parse_diff("".join(_diff(p, t) for p, (_, t) in built.items()))
    reports = [FileReport(path=f.path, status=f.status, categories=("migration",)) for f in files]
    found = collect(files, reports, ChecksConfig(), source=_Base(data.get("base", {}))).findings
    by_path: dict[str, list[Finding]] = {}
    for f in found:
        by_path.setdefault(f.path, []).append(f)
    result = Score(family, len(built), 0, 0, 0, [])
    for path, (case, _) in built.items():
        expected = set(case["expect"])
        got = {
            f.rule or ""
            for f in by_path.get(path, [])
            if f.severity != "info" or (f.rule or "") in expected
        }
        result.tp += len(got & expected)
        result.fp += len(got - expected)
        result.fn += len(expected - got)
        if got != expected:
            result.misses.append(f"{case['name']}: expected {sorted(expected)}, got {sorted(got)}")
    return result


def main() -> int:
    for family in FAMILIES:
        s = score(family)
        print(
            f"{family:8} cases={s.cases:3} recall={s.recall:.3f} precision={s.precision:.3f} "
            f"(tp={s.tp} fp={s.fp} fn={s.fn})"
        )
        for miss in s.misses:
            print(f"    {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
