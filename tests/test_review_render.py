"""Comment bodies and the summary: complete, safe to post, and within GitHub's size limit."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.markers import SummaryState, find_fingerprints, parse_summary_marker, summary_marker
from bot.models import FileReport, Finding, Usage
from bot.review.markdown import MAX_BODY, clip, close_fences, code_span, fence, size
from bot.review.render import comment_body, neutralise_mentions, render_job_summary, render_summary
from bot.review.result import ReviewResult
from bot.review.summary import JOB_SUMMARY_LIMIT, duration

FP = "0123456789abcdef"
LIVE_MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9]")


def finding(**kw: Any) -> Finding:
    base: dict[str, Any] = {
        "path": "app/api.py",
        "line": 12,
        "severity": "high",
        "category": "database",
        "title": "Unbounded query",
        "body": "Lists every row; add a limit.",
    }
    return Finding(**{**base, **kw})


# ---- comment bodies --------------------------------------------------------------------


def test_body_has_severity_category_title_explanation_suggestion_and_marker() -> None:
    """Everything a reviewer needs, and the hidden fingerprint last."""
    body = comment_body(finding(suggestion="rows = q.limit(100)\n"), FP)
    assert body.startswith("🟠 **High** · Database")
    assert "**Unbounded query**" in body
    assert "Lists every row; add a limit." in body
    assert "```suggestion\nrows = q.limit(100)\n```" in body
    assert body.endswith("<!-- backend-review:fp=0123456789abcdef -->")
    assert find_fingerprints(body) == {FP}


def test_static_finding_shows_rule_and_source() -> None:
    """Static findings name their rule id so people can look it up or disable it."""
    body = comment_body(finding(source="static", rule="query-unbounded"), FP)
    assert "rule `query-unbounded` (static check)" in body.splitlines()[0]


def test_suggestion_holding_a_fence_gets_a_longer_fence() -> None:
    """A suggestion with ``` inside cannot close its own block early."""
    code = 'doc = """\n```\nexample\n```\n"""'
    body = comment_body(finding(suggestion=code), FP)
    assert f"````suggestion\n{code}\n````" in body


def test_empty_suggestion_is_not_a_deletion() -> None:
    """A blank suggestion is treated as no suggestion, never as "delete these lines"."""
    assert "suggestion" not in comment_body(finding(suggestion="  \n"), FP)


def test_moved_comment_shows_the_suggestion_as_plain_code_with_the_note() -> None:
    """When the suggestion would replace the wrong lines it is shown, not offered."""
    body = comment_body(finding(suggestion="fix()"), FP, note="Moved.", suggestion_applies=False)
    assert "```suggestion" not in body
    assert "```\nfix()\n```" in body
    assert "_Moved._" in body


def test_mentions_are_neutralised_in_title_and_explanation() -> None:
    """@user and @org/team written by the model ping nobody."""
    body = comment_body(
        finding(title="Ask @octocat", body="cc @acme/backend-team and @bob, mail a@b.io"), FP
    )
    assert not LIVE_MENTION.search(body)
    assert "octocat" in body
    assert "acme/backend-team" in body


def test_suggestion_code_keeps_its_decorators() -> None:
    """Code inside the suggestion fence is not altered: mentions do not ping there."""
    body = comment_body(finding(suggestion='@app.get("/orders")\ndef list_orders(): ...'), FP)
    assert '```suggestion\n@app.get("/orders")' in body


def test_model_text_cannot_forge_or_hide_markers() -> None:
    """HTML comments in model prose are broken; in suggested code only our marker prefix is."""
    forged = "<!-- backend-review:fp=deadbeefdeadbeef -->"
    body = comment_body(
        finding(
            title=f"x {forged}",
            body=f"hidden <!-- secret --> {forged}",
            suggestion=f"html = '{forged}'",
        ),
        FP,
    )
    assert find_fingerprints(body) == {FP}
    assert "<!-- secret" not in body
    assert "html = '<!-- backend\u200b-review:fp=" in body
    assert parse_summary_marker(comment_body(finding(body=summary_marker(_state())), FP)) is None


def _state() -> SummaryState:
    return SummaryState(head_sha="a" * 40, config_hash="b" * 8)


def test_unclosed_fence_in_the_explanation_is_closed() -> None:
    """A model body that opens a fence cannot swallow the suggestion and marker."""
    body = comment_body(finding(body="see:\n```python\nx = 1", suggestion="y = 2"), FP)
    assert "x = 1\n```\n\n```suggestion\ny = 2\n```" in body


def test_huge_explanation_is_truncated_but_the_marker_survives() -> None:
    """A body is at most 65,536 characters (UTF-16 units); only the explanation is cut."""
    for unit in ("x", "😀"):
        body = comment_body(finding(body=unit * 100_000, suggestion="fix()"), FP)
        assert size(body) <= MAX_BODY
        assert body.endswith(f"<!-- backend-review:fp={FP} -->")
        assert "(truncated)" in body
        assert "```suggestion\nfix()\n```" in body


def test_huge_suggestion_is_left_out_with_a_note() -> None:
    """A suggestion too long to fit is dropped (cut code would be wrong), and the body says so."""
    body = comment_body(finding(suggestion="x = 1\n" * 20_000), FP)
    assert size(body) <= MAX_BODY
    assert "suggestion" not in body.split("_The suggested")[0]
    assert "too long to include" in body


def test_neutralise_mentions_leaves_emails_readable() -> None:
    """Only the @ is touched; the text reads the same."""
    assert neutralise_mentions("@a and @b/c").replace("\u200b", "") == "@a and @b/c"


def test_markdown_helpers() -> None:
    """Fences and code spans adapt to backticks; clip keeps fences balanced."""
    assert fence("a ``` b").startswith("````\n")
    assert code_span("we`ird") == "``we`ird``"
    assert close_fences("```\nopen") == "```\nopen\n```"
    assert close_fences("``` not`a fence\n") == "``` not`a fence\n"
    cut = clip("```\n" + "x" * 100, 50)
    assert size(cut) <= 50
    assert cut.count("```") == 2


# ---- summary ---------------------------------------------------------------------------


def result(**kw: Any) -> ReviewResult:
    base: dict[str, Any] = {"reports": [], "findings": [], "comments": [], "summary_only": []}
    return ReviewResult(**{**base, **kw})


def report(path: str, *, reviewed: bool = True) -> FileReport:
    if reviewed:
        return FileReport(path=path, status="modified", categories=("api",), reasons=("route",))
    return FileReport(path=path, status="modified", skip_reason="lockfile")


def test_summary_counts_by_severity_and_category() -> None:
    """The headline counts by severity; a table breaks them down by category."""
    fs = [
        finding(severity="critical", category="security"),
        finding(severity="high"),
        finding(severity="high"),
    ]
    text = render_summary(result(findings=fs))
    assert "**3 findings**: 🔴 1 critical · 🟠 2 high." in text
    assert "| Security | 1 |  | 1 |" in text
    assert "| Database |  | 2 | 2 |" in text
    assert "| **total** | 1 | 2 | 3 |" in text


def test_summary_lists_findings_not_posted_inline_in_full_with_the_reason() -> None:
    """A finding that could not go inline is shown completely, with why."""
    f = finding(body="Long explanation.", suggestion="q.limit(10)", rule="r1", source="static")
    text = render_summary(result(findings=[f], summary_only=[(f, "the file is not part")]))
    assert "### Findings not posted inline (1)" in text
    assert "Long explanation." in text
    assert "```\nq.limit(10)\n```" in text
    assert "_the file is not part_" in text
    assert "`app/api.py:12`" in text
    assert "rule `r1` (static check)" in text


def test_summary_lists_files_reviewed_not_reviewed_and_unseen() -> None:
    """Files reviewed, skipped (with reasons) and not seen by the model (with reasons)."""
    text = render_summary(
        result(
            reports=[report("app/api.py"), report("package-lock.json", reviewed=False)],
            unseen_by_model=[("app/big.py", "over the token budget")],
        )
    )
    assert "### Files reviewed (1)" in text
    assert "- `app/api.py`: api (route)" in text
    assert "- `package-lock.json`: lockfile" in text
    assert "### Files the model did not see (1)" in text
    assert "- `app/big.py`: over the token budget" in text


def test_long_file_lists_are_folded() -> None:
    """More than ten files collapse into <details>."""
    text = render_summary(result(reports=[report(f"f{i}.py") for i in range(11)]))
    assert "<details><summary>Files reviewed (11)</summary>" in text


def test_summary_shows_usage_cost_and_time() -> None:
    """Tokens (input, output, cache write, cache read), estimated cost and time."""
    usage = Usage(
        requests=3,
        input_tokens=12_345,
        output_tokens=678,
        cache_creation_input_tokens=2_000,
        cache_read_input_tokens=4_000,
        cost_usd=0.0521,
    )
    text = render_summary(result(usage=usage, elapsed_s=12.34, model_status="ok"))
    assert "| 3 | 12,345 | 678 | 2,000 | 4,000 | $0.0521 |" in text
    assert "Time: 12.3 s." in text
    assert "✅ Model review complete." in text


def test_summary_says_when_the_model_failed_or_was_partial() -> None:
    """Skipped, failed and partial model reviews are stated with their notes."""
    failed = render_summary(result(model_status="failed", model_notes=["timeout after 180 s"]))
    assert "❌ **Model review failed.**" in failed
    assert "- timeout after 180 s" in failed
    partial = render_summary(result(model_status="partial", model_notes=["1 of 3 failed"]))
    assert "⚠️ **Model review incomplete.**" in partial
    assert "⚠️ **Model review skipped.**" in render_summary(result())


def test_summary_neutralises_untrusted_text() -> None:
    """Paths, titles and notes from the PR or the model ping nobody and hide nothing."""
    f = finding(
        path="@evil/x.py", title="@octocat look", body="<!-- backend-review:fp=abcdef12 -->"
    )
    text = render_summary(
        result(
            findings=[f],
            summary_only=[(f, "why @someone")],
            reports=[report("@team/file.py")],
            model_notes=["@note"],
        ),
        marker=summary_marker(_state()),
    )
    assert not LIVE_MENTION.search(text.replace("`@\u200b", "`"))
    assert find_fingerprints(text) == set()
    assert parse_summary_marker(text) == _state()


def test_huge_summary_stays_under_the_limit_and_keeps_the_marker() -> None:
    """Thousands of files and findings: lists are cut with "... and N more", marker intact."""
    fs = [finding(line=i + 1, body="b" * 3_000) for i in range(200)]
    marker = summary_marker(_state())
    text = render_summary(
        result(
            findings=fs,
            summary_only=[(f, "limit") for f in fs],
            reports=[report(f"dir/file_{i}.py", reviewed=i % 2 == 0) for i in range(5_000)],
            unseen_by_model=[(f"dir/file_{i}.py", "budget") for i in range(3_000)],
        ),
        marker=marker,
    )
    assert size(text) <= MAX_BODY
    assert text.endswith(marker)
    assert re.search(r"\.\.\. and \d+ more", text)
    assert "### Usage" in text


def test_job_summary_lists_every_finding() -> None:
    """The job summary shows inline findings too, for when the review could not be posted."""
    inline, other = finding(title="Inline one"), finding(title="Summary one", line=40)
    r = result(findings=[inline, other], summary_only=[(other, "limit reached")])
    job = render_job_summary(r)
    assert "### Findings (2)" in job
    assert "Inline one" in job
    assert "_inline comment_" in job
    assert "_limit reached_" in job
    assert "Inline one" not in render_summary(r)


def test_job_summary_may_be_longer_than_a_comment() -> None:
    """The job summary has its own, larger limit (1 MiB of UTF-8)."""
    fs = [finding(line=i + 1, body="b" * 3_000) for i in range(100)]
    job = render_job_summary(result(findings=fs))
    assert MAX_BODY < size(job) <= JOB_SUMMARY_LIMIT
    assert len(job.encode()) <= 1024 * 1024


def test_summary_shows_the_model_and_its_overview() -> None:
    """The model id and the model's own summaries of the change (neutralised) are shown."""
    text = render_summary(
        result(
            model_status="ok",
            model="claude-sonnet-5-5",
            model_summaries=["Adds an orders endpoint. cc @lead", "  "],
        )
    )
    assert "✅ Model review complete (`claude-sonnet-5-5`)." in text
    assert "### Overview\n\nAdds an orders endpoint. cc @\u200blead" in text


def test_long_runs_are_shown_in_minutes() -> None:
    """Past a minute, time reads as minutes and seconds."""
    assert duration(12.34) == "12.3 s"
    assert duration(245.2) == "4 min 05 s"


@settings(max_examples=60, deadline=None)
@given(
    n_findings=st.integers(0, 30),
    n_files=st.integers(0, 300),
    body_len=st.integers(1, 5_000),
    limit=st.integers(3_000, 70_000),
)
def test_summary_never_exceeds_its_limit(
    n_findings: int, n_files: int, body_len: int, limit: int
) -> None:
    """Whatever the sizes, the summary fits `limit` and ends with the intact marker."""
    fs = [finding(line=i + 1, body="é" * body_len, suggestion="x()") for i in range(n_findings)]
    marker = summary_marker(_state())
    text = render_summary(
        result(
            findings=fs,
            summary_only=[(f, "limit") for f in fs],
            reports=[report(f"f{i}.py", reviewed=i % 3 > 0) for i in range(n_files)],
            unseen_by_model=[(f"f{i}.py", "budget") for i in range(n_files // 2)],
            model_notes=["note " * 50] * 30,
            model_summaries=["overview " * 400] * 5,
        ),
        marker=marker,
        limit=limit,
    )
    assert size(text) <= limit
    assert text.endswith(marker)


_NASTY = st.sampled_from(["@x", "@o/t", "<!--", "-->", "```", "~~~", "\n", "😀", "a", " "])


@settings(max_examples=150, deadline=None)
@given(
    title=st.lists(_NASTY, min_size=1, max_size=20).map("".join).filter(str.strip),
    body=st.lists(_NASTY, min_size=1, max_size=60).map("".join).filter(str.strip),
    suggestion=st.none() | st.lists(_NASTY, max_size=20).map("".join),
)
def test_any_model_text_gives_a_safe_body(title: str, body: str, suggestion: str | None) -> None:
    """Whatever the model writes: one marker (ours), no live mention in prose, within the limit."""
    out = comment_body(finding(title=title[:200], body=body, suggestion=suggestion), FP)
    assert find_fingerprints(out) == {FP}
    assert out.endswith(f"<!-- backend-review:fp={FP} -->")
    prose = out.split("\n\n```")[0] if suggestion else out
    assert not re.search(r"@[A-Za-z0-9]", prose)
    assert "<!--" not in prose.replace(f"<!-- backend-review:fp={FP} -->", "")
    assert size(out) <= MAX_BODY
