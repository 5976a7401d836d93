"""Extraction benchmark: parse + classify a 3,000-file, 150,000-changed-line diff.

Generates the diff in memory (deterministically), then measures side by side, interleaved:
  (a) unidiff's bare `PatchSet(text)`,
  (b) our `parse_diff(text)` + `classify_files(...)`,
  (c) `bot.checks.run_checks(...)` over the reviewed files,
  (d) the hardcoded-secret scan over the added lines of every changed file,
and prints (b)/(a) (target <= 2.0), (c) as a share of (b) (target <= 50%), (d) as a share of
(b), and peak memory.

    python bench/bench_extract.py [--reps 4] [--files 3000] [--lines 150000] [--no-checks]
                                [--tracemalloc]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from unidiff import PatchSet  # type: ignore[attr-defined]

from bot.classify.classifier import classify_files
from bot.config import RepoConfig
from bot.diff import parse_diff
from bot.models import FileDiff, FileReport, Finding

SEED = 20261126
T = TypeVar("T")

# Each kind: (how many files, path template, the file's text lines). Lines are repeated and
# numbered to reach the size a file needs, so the text looks like the real thing throughout.
_ALEMBIC = [
    '"""add {n} column"""',
    "import sqlalchemy as sa",
    "from alembic import op",
    'revision = "{h}"',
    'down_revision = "{h}0"',
    "def upgrade() -> None:",
    '    op.add_column("t{n}", sa.Column("c{i}", sa.Integer(), nullable=True))',
    '    op.create_index("ix_t{n}_c{i}", "t{n}", ["c{i}"])',
    "def downgrade() -> None:",
    '    op.drop_column("t{n}", "c{i}")',
]
_DJANGO_MIG = [
    "from django.db import migrations, models",
    "class Migration(migrations.Migration):",
    '    dependencies = [("shop", "{n:04d}_previous")]',
    "    operations = [",
    '        migrations.AddField(model_name="order", name="f{i}", field=models.IntegerField(null=True)),',
    '        migrations.AlterField(model_name="order", name="g{i}", field=models.CharField(max_length=64)),',
    "    ]",
]
_SQL_MIG = [
    "ALTER TABLE orders_{n} ADD COLUMN c{i} integer;",
    "CREATE INDEX CONCURRENTLY orders_{n}_c{i}_idx ON orders_{n} (c{i});",
    "UPDATE orders_{n} SET c{i} = 0 WHERE c{i} IS NULL AND id < {i}000;",
    "COMMENT ON COLUMN orders_{n}.c{i} IS 'counter {i}';",
]
_SQL_QUERY = [
    "-- name: GetOrder{i} :one",
    "SELECT o.id, o.total_cents, c.email FROM orders o JOIN customers c ON c.id = o.customer_id",
    "WHERE o.id = $1 AND o.status = 'paid' ORDER BY o.created_at DESC LIMIT 50;",
]
_OPENAPI = [
    "openapi: 3.0.3",
    "paths:",
    "  /v1/items{n}/{{id}}/sub{i}:",
    "    get:",
    "      operationId: getItem{n}x{i}",
    "      parameters:",
    "        - {{name: id, in: path, required: true, schema: {{type: integer}}}}",
    "      responses:",
    "        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Item'}}}}}}}}",
]
_FASTAPI = [
    "from fastapi import APIRouter, Depends, HTTPException",
    "router = APIRouter()",
    '@router.get("/items{n}/{{item_id}}/v{i}")',
    "async def read_item_{i}(item_id: int, session: Session = Depends(get_session)):",
    "    item = session.get(Item, item_id)",
    "    if item is None:",
    '        raise HTTPException(status_code=404, detail="not found")',
    "    return item",
]
_EXPRESS = [
    'import {{ Router }} from "express";',
    "const router = Router();",
    'router.get("/api/things{n}/:id/v{i}", async (req, res) => {{',
    "  const thing = await repo.find(Number(req.params.id));",
    "  if (!thing) return res.status(404).end();",
    "  res.json(thing);",
    "}});",
]
_GO_HANDLER = [
    "package handlers",
    'import "net/http"',
    "func (h *H) Get{i}(w http.ResponseWriter, r *http.Request) {{",
    '\tid := r.PathValue("id")',
    "\tv, err := h.store.Get{i}(r.Context(), id)",
    "\tif err != nil {{ http.Error(w, err.Error(), 500); return }}",
    "\twriteJSON(w, v)",
    "}}",
]
_SA_MODEL = [
    "from sqlalchemy import ForeignKey, String",
    "from sqlalchemy.orm import Mapped, mapped_column, relationship",
    "class Model{n}x{i}(Base):",
    '    __tablename__ = "model_{n}_{i}"',
    "    id: Mapped[int] = mapped_column(primary_key=True)",
    "    name: Mapped[str] = mapped_column(String(200))",
    '    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))',
]
_TYPEORM = [
    'import {{ Column, Entity, PrimaryGeneratedColumn }} from "typeorm";',
    "@Entity()",
    "export class Entity{n}x{i} {{",
    "  @PrimaryGeneratedColumn() id: number;",
    "  @Column() name{i}: string;",
    "}}",
]
_GORM = [
    "package models",
    'import "gorm.io/gorm"',
    "type Row{i} struct {{",
    "\tgorm.Model",
    '\tCode{i} string `gorm:"uniqueIndex"`',
    "}}",
]
_TEST = [
    "from fastapi.testclient import TestClient",
    "client = TestClient(app)",
    "def test_item_{i}():",
    '    response = client.get("/items{n}/{i}")',
    "    assert response.status_code == 200",
]
_TSX = [
    'import {{ useState }} from "react";',
    "export function Widget{i}({{ title }}: {{ title: string }}) {{",
    "  const [open, setOpen] = useState(false);",
    '  return <div className="widget-{i}" onClick={{() => setOpen(!open)}}>{{title}}</div>;',
    "}}",
]
_CSS = [".widget-{i} {{", "  display: flex;", "  padding: {n}px;", "}}"]
_DOC = ["## Section {i}", "", "Run `SELECT {i}` to check the database; see the guide for item {n}."]
_PY_UTIL = [
    "def helper_{i}(values: list[int]) -> int:",
    '    """Return the sum of the values, ignoring negatives."""',
    "    return sum(v for v in values if v >= 0) + {n}",
]
_GO_UTIL = [
    "package util",
    "func Clamp{i}(v, lo, hi int) int {{",
    "\treturn min(max(v, lo), hi)",
    "}}",
]
_YAML = ["service_{n}:", "  replicas: {i}", "  image: registry.example.com/app:{n}.{i}"]

KINDS: list[tuple[int, str, list[str]]] = [
    (120, "services/s{n}/migrations/versions/{h}_rev_{n}.py", _ALEMBIC),
    (100, "shop{n}/migrations/{n:04d}_auto.py", _DJANGO_MIG),
    (130, "db/migrations/{n:06d}_change_{n}.up.sql", _SQL_MIG),
    (150, "db/queries/q{n}.sql", _SQL_QUERY),
    (60, "api/specs/service_{n}/openapi.yaml", _OPENAPI),
    (150, "app/routers/r{n}.py", _FASTAPI),
    (150, "src/routes/things{n}.ts", _EXPRESS),
    (150, "internal/handlers/h{n}.go", _GO_HANDLER),
    (150, "app/db/models_{n}.py", _SA_MODEL),
    (75, "src/entities/e{n}.entity.ts", _TYPEORM),
    (75, "internal/models/m{n}.go", _GORM),
    (200, "tests/test_api_{n}.py", _TEST),
    (520, "web/src/components/Widget{n}.tsx", _TSX),
    (150, "web/src/styles/w{n}.css", _CSS),
    (150, "docs/guide/page{n}.md", _DOC),
    (300, "app/util/helpers_{n}.py", _PY_UTIL),
    (150, "pkg/util/u{n}.go", _GO_UTIL),
    (130, "deploy/values-{n}.yaml", _YAML),
    (40, "web/public/img/pic{n}.png", []),
]


@dataclass(frozen=True)
class Spec:
    path: str
    template: list[str]
    status: str  # added | modified | removed
    changed: int
    n: int


def _specs(rng: random.Random, files: int, lines: int) -> list[Spec]:
    total = sum(count for count, _, _ in KINDS)
    plan: list[tuple[str, list[str], int]] = []
    for count, path, template in KINDS:
        for k in range(max(1, round(count * files / total))):
            h = f"{rng.getrandbits(48):012x}"
            plan.append((path.format(n=k, h=h), template, k))
    plan = plan[:files]
    text_files = [p for p in plan if p[1]]
    budget = [rng.randint(10, 90) for _ in text_files]
    scale = lines / sum(budget)
    budget = [max(1, round(b * scale)) for b in budget]
    budget[-1] += lines - sum(budget)
    counts = iter(budget)
    specs: list[Spec] = []
    for path, template, n in plan:
        roll = rng.random()
        status = "added" if roll < 0.25 else "removed" if roll < 0.30 else "modified"
        specs.append(Spec(path, template, status, next(counts) if template else 0, n))
    return specs


def _text(template: list[str], n: int, i: int) -> str:
    return template[i % len(template)].format(n=n, i=i, h=f"{n:x}{i:x}")


def _render(spec: Spec, rng: random.Random) -> str:
    p = spec.path
    head = f"diff --git a/{p} b/{p}\n"
    if not spec.template:
        return head + f"index 1a2b3c4..5d6e7f8 100644\nBinary files a/{p} and b/{p} differ\n"
    t, n, changed = spec.template, spec.n, spec.changed
    if spec.status == "added":
        body = "".join(f"+{_text(t, n, i)}\n" for i in range(changed))
        return (
            head + "new file mode 100644\nindex 0000000..5d6e7f8\n--- /dev/null\n"
            f"+++ b/{p}\n@@ -0,0 +1,{changed} @@\n{body}"
        )
    if spec.status == "removed":
        body = "".join(f"-{_text(t, n, i)}\n" for i in range(changed))
        return (
            head + "deleted file mode 100644\nindex 5d6e7f8..0000000\n"
            f"--- a/{p}\n+++ /dev/null\n@@ -1,{changed} +0,0 @@\n{body}"
        )
    out = [head, "index 1a2b3c4..5d6e7f8 100644\n", f"--- a/{p}\n", f"+++ b/{p}\n"]
    old_no = new_no = 1
    left = changed
    i = 0
    while left > 0:
        gap = rng.randint(4, 40)
        old_no += gap
        new_no += gap
        size = min(left, rng.randint(4, 30))
        left -= size
        removed = rng.randint(0, size // 2)
        added = size - removed
        lines = [f" {_text(t, n, i + k)}" for k in range(3)]
        lines += [f"-{_text(t, n, i + 3 + k)}" for k in range(removed)]
        lines += [f"+{_text(t, n, i + 3 + removed + k)}x" for k in range(added)]
        lines += [f" {_text(t, n, i + 3 + size + k)}" for k in range(3)]
        i += size + 6
        out.append(f"@@ -{old_no},{removed + 6} +{new_no},{added + 6} @@ def f():\n")
        out.append("\n".join(lines) + "\n")
        old_no += removed + 6
        new_no += added + 6
    return "".join(out)


def generate(files: int = 3000, lines: int = 150_000, seed: int = SEED) -> str:
    """The benchmark diff: same text for the same arguments."""
    rng = random.Random(seed)
    return "".join(_render(spec, rng) for spec in _specs(rng, files, lines))


def _timed(fn: Callable[[], T]) -> tuple[float, float, T]:
    """Wall-clock and CPU seconds of one call (CPU time is what other processes cannot skew)."""
    gc.collect()
    wall, cpu = time.perf_counter(), _cpu()
    result = fn()
    return time.perf_counter() - wall, _cpu() - cpu, result


def _cpu() -> float:
    """CPU seconds of this process and its finished children (squawk runs as a child)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1e6 if sys.platform == "darwin" else rss / 1e3


def _extract(text: str) -> tuple[list[FileDiff], list[FileReport]]:
    files = parse_diff(text)
    return files, classify_files(files, RepoConfig())


def _checks(files: list[FileDiff], reports: list[FileReport]) -> list[Finding]:
    from bot.checks.run import run_checks  # imported here so that --no-checks needs only extraction

    keep = [(f, r) for f, r in zip(files, reports, strict=True) if r.reviewed]
    return run_checks([f for f, _ in keep], [r for _, r in keep], RepoConfig().checks)


def _secrets(files: list[FileDiff]) -> list[Finding]:
    from bot.checks.secrets.check import check

    return check(files, RepoConfig().checks)  # every changed file, backend or not


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=4)
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--lines", type=int, default=150_000)
    ap.add_argument("--no-checks", action="store_true")
    ap.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (slow)"
    )
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    text = generate(args.files, args.lines)
    gen_s = time.perf_counter() - t0
    # A first parse + classify, before anything else allocates: the process's peak RSS grows by
    # what extraction needs at its peak (unidiff's objects and ours together).
    rss_before = _max_rss_mb()
    _extract(text)
    rss_extract = _max_rss_mb() - rss_before
    times: dict[str, list[tuple[float, float]]] = {"a": [], "b": [], "c": [], "d": []}
    findings: list[Finding] = []
    for _ in range(args.reps):
        wall, cpu, _patch = _timed(partial(PatchSet, text))
        times["a"].append((wall, cpu))
        del _patch
        wall, cpu, (files, reports) = _timed(partial(_extract, text))
        times["b"].append((wall, cpu))
        if not args.no_checks:
            wall, cpu, findings = _timed(partial(_checks, files, reports))
            times["c"].append((wall, cpu))
            wall, cpu, _found = _timed(partial(_secrets, files))
            times["d"].append((wall, cpu))
    changed = sum(f.additions + f.deletions for f in files)
    print(
        f"diff: {len(files):,} files, {changed:,} changed lines, {len(text) / 1e6:.1f} MB "
        f"(generated in {gen_s:.1f}s); {args.reps} interleaved repetitions"
    )

    def best(key: str, i: int) -> float:
        return min(t[i] for t in times[key])

    def line(label: str, key: str) -> str:
        cpu = sorted(t[1] for t in times[key])
        wall = sorted(t[0] for t in times[key])
        return (
            f"{label:28} cpu best {cpu[0]:6.3f}s median {statistics.median(cpu):6.3f}s"
            f" | wall best {wall[0]:6.3f}s median {statistics.median(wall):6.3f}s"
        )

    print(line("(a) unidiff PatchSet", "a"))
    print(line("(b) parse_diff + classify", "b"))
    print(
        f"ratio (b)/(a): {best('b', 1) / best('a', 1):.2f} (best CPU time), "
        f"{best('b', 0) / best('a', 0):.2f} (best wall time); target <= 2.0"
    )
    kinds = Counter(k for r in reports for k in r.categories)
    reviewed = [r for r in reports if r.reviewed]
    sql = [r for r in reviewed if r.path.endswith(".sql")]
    print(
        f"classified: {len(reviewed):,} reviewed of {len(reports):,}  "
        + "  ".join(f"{k}={v}" for k, v in sorted(kinds.items()))
        + f"  tests={sum(r.is_test for r in reports)}"
    )
    if times["c"]:
        print(line("(c) run_checks", "c"))
        print(
            f"checks / extraction: {best('c', 1) / best('b', 1):.0%} (best CPU time), "
            f"{best('c', 0) / best('b', 0):.0%} (best wall time); target <= 50%"
        )
        print(f"findings: {len(findings):,}  SQL files handed to the checks: {len(sql)}")
        print(line("(d) hardcoded-secret scan", "d"))
        print(
            f"secret scan / extraction: {best('d', 1) / best('b', 1):.0%} (best CPU time) over "
            "the added lines of every changed file"
        )
    print(
        f"peak memory: parse+classify raised the process's max RSS by {rss_extract:.0f} MB "
        f"(to {rss_before + rss_extract:.0f} MB; the diff text itself is {len(text) / 1e6:.0f} MB)"
    )
    if args.tracemalloc:
        gc.collect()
        tracemalloc.start()
        _extract(text)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"peak memory: parse+classify allocated at most {peak / 1e6:.0f} MB (tracemalloc)")
    print(f"total {time.perf_counter() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
