"""Turn scored case runs into the text report and the JSON document. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.eval.cases import Case
from bench.eval.match import Score
from bot.models import Finding, Usage


@dataclass
class CaseRun:
    """One case reviewed and scored."""

    case: Case
    score: Score
    usage: Usage = field(default_factory=Usage)
    wall_s: float = 0.0
    model_status: str = "skipped"
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Totals:
    cases: int
    expected: int
    matched: int
    findings: int
    noise: int
    input_tokens: int
    output_tokens: int
    cache_write: int
    cache_read: int
    cost_usd: float
    wall_s: float  # the whole run, cases in parallel

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return (self.findings - self.noise) / self.findings if self.findings else 1.0

    @property
    def per_case(self) -> float:
        return self.findings / self.cases if self.cases else 0.0


def totals(runs: Sequence[CaseRun], wall_s: float) -> Totals:
    return Totals(
        cases=len(runs),
        expected=sum(r.score.expected for r in runs),
        matched=sum(r.score.matched for r in runs),
        findings=sum(r.score.findings for r in runs),
        noise=sum(r.score.noise for r in runs),
        input_tokens=sum(r.usage.input_tokens for r in runs),
        output_tokens=sum(r.usage.output_tokens for r in runs),
        cache_write=sum(r.usage.cache_creation_input_tokens for r in runs),
        cache_read=sum(r.usage.cache_read_input_tokens for r in runs),
        cost_usd=sum(r.usage.cost_usd for r in runs),
        wall_s=wall_s,
    )


def final_line(t: Totals, model: str) -> str:
    """The last line of every run, for scripts and CI logs."""
    return (
        f"eval recall {t.recall:.2f} precision {t.precision:.2f} cost ${t.cost_usd:.4f} "
        f"(cases {t.cases}, model {model})"
    )


def _ratio(value: float | None) -> str:
    return "   -" if value is None else f"{value:.2f}"


def _where(f: Finding) -> str:
    lines = f"{f.start_line}-{f.line}" if f.start_line else str(f.line)
    side = " LEFT" if f.side == "LEFT" else ""
    return f"{f.path}:{lines}{side} {f.severity} {f.category}"


_HEAD = (
    f"{'case':<44} {'exp':>3} {'hit':>3} {'find':>4} {'noise':>5} {'recall':>6} {'prec':>5} "
    f"{'in':>7} {'out':>6} {'c.write':>7} {'c.read':>7} {'cost $':>8} {'time s':>6}"
)


def _row(run: CaseRun) -> list[str]:
    s, u = run.score, run.usage
    status = "" if run.model_status == "ok" else f"  (model {run.model_status})"
    lines = [
        f"{run.case.name[:44]:<44} {s.expected:>3} {s.matched:>3} {s.findings:>4} {s.noise:>5} "
        f"{_ratio(s.recall):>6} {_ratio(s.precision):>5} {u.input_tokens:>7} "
        f"{u.output_tokens:>6} {u.cache_creation_input_tokens:>7} "
        f"{u.cache_read_input_tokens:>7} {u.cost_usd:>8.4f} {run.wall_s:>6.1f}{status}"
    ]
    for miss in s.misses:
        e = run.case.problems[miss.expectation]
        lines.append(f"    missed {e.label()}: {e.why}")
        if miss.closest is not None:
            why = "; ".join(miss.reasons)
            lines.append(f"           closest {_where(miss.closest)} {miss.closest.title!r}: {why}")
    for j in s.judged:
        if j.verdict == "noise":
            lines.append(f"    noise  {_where(j.finding)} {j.finding.title!r}")
    lines += [f"    note   {n}" for n in run.notes if run.model_status != "ok"]
    return lines


def _areas(runs: Sequence[CaseRun]) -> list[str]:
    names = sorted({a for r in runs for a in r.case.areas})
    out = [f"{'persona area':<32} {'cases':>5} {'exp':>4} {'hit':>4} {'find':>5} {'noise':>5}"]
    for area in names:
        rs = [r for r in runs if area in r.case.areas]
        exp = sum(r.score.expected for r in rs)
        hit = sum(r.score.matched for r in rs)
        out.append(
            f"{area:<32} {len(rs):>5} {exp:>4} {hit:>4} "
            f"{sum(r.score.findings for r in rs):>5} {sum(r.score.noise for r in rs):>5}"
        )
    return out


def render_text(runs: Sequence[CaseRun], t: Totals, *, model: str, mode: str) -> str:
    lines = [f"backend-review eval: {t.cases} cases, model {model}, {mode}", "", _HEAD]
    for run in runs:
        lines += _row(run)
    lines += ["", *_areas(runs), ""]
    lines += [
        f"recall:            {t.recall:.3f} ({t.matched} of {t.expected} expected problems)",
        f"precision:         {t.precision:.3f} ({t.findings - t.noise} of {t.findings} findings "
        f"not noise; {t.noise} on noise lines)",
        f"findings per case: {t.per_case:.2f}",
        f"tokens:            input {t.input_tokens}, output {t.output_tokens}, cache write "
        f"{t.cache_write}, cache read {t.cache_read}",
        f"cost:              ${t.cost_usd:.4f}",
        f"wall time:         {t.wall_s:.1f} s",
        final_line(t, model),
    ]
    return "\n".join(lines) + "\n"


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "path": f.path,
        "line": f.line,
        "start_line": f.start_line,
        "side": f.side,
        "severity": f.severity,
        "category": f.category,
        "title": f.title,
        "source": f.source,
        "rule": f.rule,
    }


def _case_json(run: CaseRun) -> dict[str, Any]:
    s = run.score
    return {
        "name": run.case.name,
        "areas": list(run.case.areas),
        "ecosystem": run.case.ecosystem,
        "expected": s.expected,
        "matched": s.matched,
        "findings": s.findings,
        "noise": s.noise,
        "recall": s.recall,
        "precision": s.precision,
        "model_status": run.model_status,
        "notes": run.notes,
        "usage": run.usage.to_json(),
        "wall_s": round(run.wall_s, 3),
        "judged": [
            {**_finding_json(j.finding), "verdict": j.verdict, "expectation": j.expectation}
            for j in s.judged
        ],
        "missed": [
            {
                "expectation": m.expectation,
                "label": run.case.problems[m.expectation].label(),
                "why": run.case.problems[m.expectation].why,
                "closest": _finding_json(m.closest) if m.closest else None,
                "reasons": list(m.reasons),
            }
            for m in s.misses
        ],
    }


def render_json(runs: Sequence[CaseRun], t: Totals, *, model: str, mode: str) -> dict[str, Any]:
    return {
        "model": model,
        "mode": mode,
        "total": {
            "cases": t.cases,
            "expected": t.expected,
            "matched": t.matched,
            "findings": t.findings,
            "noise": t.noise,
            "recall": round(t.recall, 4),
            "precision": round(t.precision, 4),
            "findings_per_case": round(t.per_case, 3),
            "input_tokens": t.input_tokens,
            "output_tokens": t.output_tokens,
            "cache_creation_input_tokens": t.cache_write,
            "cache_read_input_tokens": t.cache_read,
            "cost_usd": round(t.cost_usd, 6),
            "wall_s": round(t.wall_s, 3),
        },
        "cases": [_case_json(r) for r in runs],
        "line": final_line(t, model),
    }
