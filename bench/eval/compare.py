"""Compare two eval runs saved with `run.py --json`: totals side by side and every case that moved.

python bench/eval/compare.py BEFORE.json AFTER.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

_TOTALS = ("recall", "precision", "findings_per_case", "noise", "cost_usd", "wall_s")


def _load(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"compare: error: {path}: {exc}") from None
    if not isinstance(data, dict) or "cases" not in data or "total" not in data:
        raise SystemExit(f"compare: error: {path}: not the output of run.py --json")
    return data


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    w = max(12, *(len(str(run[k])) for run in (before, after) for k in ("model", "mode")))
    lines = [
        f"{'':<18} {'before':>{w}} {'after':>{w}}",
        f"{'model':<18} {before['model']:>{w}} {after['model']:>{w}}",
        f"{'mode':<18} {before['mode']:>{w}} {after['mode']:>{w}}",
    ]
    lines += [
        f"{key:<18} {_fmt(before['total'][key]):>{w}} {_fmt(after['total'][key]):>{w}}"
        for key in _TOTALS
    ]
    old = {c["name"]: c for c in before["cases"]}
    new = {c["name"]: c for c in after["cases"]}
    moved = []
    for name in sorted(old.keys() | new.keys()):
        a, b = old.get(name), new.get(name)
        if a is None or b is None:
            moved.append(f"  {name}: only in {'after' if a is None else 'before'}")
            continue
        keys = ("matched", "findings", "noise")
        if any(a[k] != b[k] for k in keys):
            change = ", ".join(f"{k} {a[k]} -> {b[k]}" for k in keys if a[k] != b[k])
            moved.append(f"  {name}: {change}")
    lines += ["", f"cases that moved: {len(moved)}", *moved]
    return lines


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python bench/eval/compare.py BEFORE.json AFTER.json", file=sys.stderr)
        return 2
    print("\n".join(compare(_load(args[0]), _load(args[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
