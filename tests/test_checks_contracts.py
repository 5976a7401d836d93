"""The contract check entry point: which files it compares, where the two versions come from,
and where findings are anchored."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.checks.contracts import check as contracts
from bot.checks.contracts.changes import ContractChange, anchor
from bot.checks.contracts.check import diff_versions, file_versions
from bot.checks.run import run_checks
from bot.config import ChecksConfig
from bot.diff import parse_diff
from bot.models import FileDiff, FileReport, Finding

SAMPLES = Path(__file__).parent / "samples" / "contracts"
EXAMPLE = Path(__file__).parent.parent / "examples" / "orders-api.diff"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


def make_diff(path: str, old: str | None, new: str, *, context: int = 100_000) -> FileDiff:
    """A git diff of one file, parsed the way the CLI parses it (`old=None`: an added file)."""
    header = [f"diff --git a/{path} b/{path}"]
    if old is None:
        header += ["new file mode 100644", "--- /dev/null", f"+++ b/{path}"]
    else:
        header += [f"--- a/{path}", f"+++ b/{path}"]
    body = difflib.unified_diff((old or "").splitlines(), new.splitlines(), lineterm="", n=context)
    lines = [ln for ln in body if not ln.startswith(("---", "+++"))]
    (file,) = parse_diff("\n".join(header + lines) + "\n")
    return file


class DictSource:
    """A ContentSource over two dicts of path -> text, recording what was read."""

    def __init__(self, base: dict[str, str], head: dict[str, str]) -> None:
        self.files = {"base": base, "head": head}
        self.reads: list[tuple[str, str]] = []

    def read(self, path: str, *, side: Literal["base", "head"]) -> str | None:
        self.reads.append((path, side))
        return self.files[side].get(path)


def check(*files: FileDiff, source: DictSource | None = None) -> list[Finding]:
    return contracts.check(list(files), [], ChecksConfig(), source=source)


def test_example_diff_reports_the_removed_path_and_property() -> None:
    """The shipped example: a removed operation and a removed response property, nothing for
    the new path whose query parameter is required (a new path breaks no client)."""
    files = parse_diff(EXAMPLE.read_text())
    found = {(f.rule, f.line, f.side) for f in check(*files)}
    assert found == {
        ("api-path-removed-without-deprecation", 24, "LEFT"),
        ("response-optional-property-removed", 46, "LEFT"),
    }


def test_findings_are_static_api_design_with_rule_ids() -> None:
    """Every contract finding is static, in the api-design category, and names its rule."""
    found = check(*parse_diff(EXAMPLE.read_text()))
    assert found
    assert all(f.source == "static" and f.category == "api-design" and f.rule for f in found)


def test_dispatch_applies_disable_and_severity_overrides() -> None:
    """checks.disable and checks.severity reach contract rules through the dispatcher."""
    files = parse_diff(EXAMPLE.read_text())
    config = ChecksConfig(
        disable=["response-optional-property-removed"],
        severity={"api-path-removed-without-deprecation": "critical"},
    )
    found = [f for f in run_checks(files, [], config) if f.category == "api-design"]
    rules = {(f.rule, f.severity) for f in found if f.path == "openapi.yaml"}
    assert rules == {("api-path-removed-without-deprecation", "critical")}


def test_whole_file_diff_rebuilds_both_versions() -> None:
    """A diff whose hunks cover the file from line 1 to the end yields both texts."""
    old, new = "a: 1\nb: 2\nc: 3\n", "a: 1\nb: 20\nc: 3\n"
    assert diff_versions(make_diff("x.yaml", old, new)) == (old, new)


def test_partial_diff_does_not_rebuild_versions() -> None:
    """A -U3 hunk in the middle of a long file is not mistaken for the whole file."""
    old = "".join(f"k{i}: {i}\n" for i in range(40))
    new = old.replace("k20: 20", "k20: 21")
    assert diff_versions(make_diff("x.yaml", old, new, context=3)) is None


def test_change_near_the_top_of_a_long_file_is_not_whole() -> None:
    """A hunk that starts at line 1 but stops with full trailing context is only a part; it
    is used (with the same cut tail on both sides) only when asked to."""
    old = "".join(f"k{i}: {i}\n" for i in range(40))
    new = old.replace("k1: 1", "k1: 2")
    file = make_diff("x.yaml", old, new, context=3)
    assert diff_versions(file) is None
    assert diff_versions(file, allow_cut_tail=True) == (
        "k0: 0\nk1: 1\nk2: 2\nk3: 3\nk4: 4\n",
        "k0: 0\nk1: 2\nk2: 2\nk3: 3\nk4: 4\n",
    )


def test_large_context_diff_is_compared_without_a_source() -> None:
    """`git diff -U200` of a spec whose change is near the top: both versions are rebuilt from
    the diff (the cut tail is the same on both sides) and the change is found."""
    old = sample("orders-openapi.yaml")
    new = old.replace(
        "            enum: [pending, paid, shipped, cancelled]\n        - name: limit",
        "            enum: [pending, paid, shipped]\n        - name: limit",
    )
    found = check(make_diff("openapi.yaml", old, new, context=200))
    assert [f.rule for f in found] == ["request-parameter-enum-value-removed"]


def test_added_file_has_an_empty_base() -> None:
    """An added file's base is empty, and a new spec is never a breaking change."""
    spec = sample("orders-openapi.yaml")
    file = make_diff("api/openapi.yaml", None, spec)
    assert file_versions(file, None) == ("", spec)
    assert check(file) == []


def test_partial_diff_reads_both_versions_from_the_source() -> None:
    """When the diff is partial, base and head come from the ContentSource."""
    old = sample("orders-openapi.yaml")
    new = old.replace(
        "          enum: [pending, paid, shipped, cancelled]\n        total",
        "          enum: [pending, paid, shipped]\n        total",
    )
    new = old.replace("        currency:\n          type: string\n        note:", "        note:")
    file = make_diff("openapi.yaml", old, new, context=3)
    source = DictSource({"openapi.yaml": old}, {"openapi.yaml": new})
    found = check(file, source=source)
    assert ("openapi.yaml", "base") in source.reads and ("openapi.yaml", "head") in source.reads
    assert [(f.rule, f.side) for f in found] == [("response-required-property-removed", "LEFT")]
    removed_line = old.splitlines().index("        currency:") + 1
    assert found[0].line == removed_line


def test_partial_diff_without_source_is_skipped() -> None:
    """No source and a partial diff: nothing to compare, no finding, no error."""
    old = sample("orders-openapi.yaml")
    new = old.replace("        currency:\n          type: string\n        note:", "        note:")
    assert check(make_diff("openapi.yaml", old, new, context=3)) == []


def test_renamed_spec_reads_the_old_path_from_the_base() -> None:
    """A renamed spec's base is read under its old name."""
    old = sample("orders-openapi.yaml")
    new = old.replace("  /v1/legacy/orders:\n", "  /v1/old/orders:\n")
    file = make_diff("specs/openapi.yaml", old, new, context=3)
    renamed = FileDiff(path=file.path, status="renamed", hunks=file.hunks, old_path="openapi.yaml")
    source = DictSource({"openapi.yaml": old}, {"specs/openapi.yaml": new})
    found = check(renamed, source=source)
    assert [f.rule for f in found] == ["api-path-removed-with-deprecation"]
    assert ("openapi.yaml", "base") in source.reads


def test_spec_recognised_by_content_not_name() -> None:
    """A YAML file with an `openapi:` key is compared whatever it is called."""
    old = sample("orders-openapi.yaml")
    new = old.replace('        "404":\n          description: Not found\n', "")
    found = check(make_diff("services/orders/contract.yml", old, new))
    assert [f.rule for f in found] == ["response-non-success-status-removed"]


def test_yaml_that_is_not_a_spec_is_ignored() -> None:
    """A Kubernetes manifest with `paths:` is not compared as an API."""
    old = "apiVersion: v1\nkind: Ingress\npaths:\n  - path: /a\n  - path: /b\n"
    new = "apiVersion: v1\nkind: Ingress\npaths:\n  - path: /a\n"
    assert check(make_diff("deploy/ingress.yaml", old, new)) == []


def test_invalid_head_spec_gives_no_finding() -> None:
    """A spec that no longer parses is not a crash and not a finding."""
    old = sample("orders-openapi.yaml")
    new = old.replace("paths:\n", "paths: [\n", 1)
    assert check(make_diff("openapi.yaml", old, new)) == []


def test_removed_spec_file_is_skipped() -> None:
    """Deleting a spec file (often a move) is left to the reviewer, not guessed at."""
    file = FileDiff(path="openapi.yaml", status="removed")
    assert check(file) == []


def _file_with(lines: list[tuple[str, int | None, int | None]]) -> FileDiff:
    text = ["diff --git a/s.yaml b/s.yaml", "--- a/s.yaml", "+++ b/s.yaml"]
    old = sum(1 for k, _, _ in lines if k != "+")
    new = sum(1 for k, _, _ in lines if k != "-")
    first_old = next(o for k, o, _ in lines if o is not None)
    first_new = next(n for k, _, n in lines if n is not None)
    text.append(f"@@ -{first_old},{old} +{first_new},{new} @@")
    text += [f"{k if k != ' ' else ' '}line" for k, _, _ in lines]
    (file,) = parse_diff("\n".join(text) + "\n")
    return file


def test_anchor_prefers_the_removed_line_then_the_changed_line_then_first_change() -> None:
    """Removals anchor on the removed (LEFT) line; changes on their RIGHT line; a change far
    from every diff line falls back to the file's first changed line."""
    file = _file_with([(" ", 10, 10), ("-", 11, None), ("+", None, 11), (" ", 12, 12)])
    removal = ContractChange("r", "high", "t", "b", new_line=10, old_line=11, removal=True)
    assert anchor(removal, file) == (11, "LEFT")
    change = ContractChange("r", "high", "t", "b", new_line=12)
    assert anchor(change, file) == (12, "RIGHT")
    near = ContractChange("r", "high", "t", "b", new_line=14)
    assert anchor(near, file) == (12, "RIGHT")
    far = ContractChange("r", "high", "t", "b", new_line=300, new_parents=(10,))
    assert anchor(far, file) == (11, "LEFT")
    parent = ContractChange("r", "high", "t", "b", new_line=30, new_parents=(12,))
    assert anchor(parent, file) == (12, "RIGHT")


def test_reports_mark_test_files_out_of_route_checks() -> None:
    """Route removals in test files (test clients call `client.get('/x')`) are not findings."""
    old = "@app.get('/health')\ndef health():\n    return {}\n"
    file = make_diff("tests/test_app.py", old, "")
    report = FileReport(path=file.path, status="modified", is_test=True)
    assert contracts.check([file], [report], ChecksConfig()) == []


def test_documentation_only_spec_change_is_not_read() -> None:
    """A change to descriptions and the version only is skipped before any file is read."""
    old = sample("orders-openapi.yaml")
    new = old.replace("  version: 2.3.0", "  version: 2.3.1").replace(
        "      summary: List orders, newest first", "      summary: List orders"
    )
    source = DictSource({"openapi.yaml": old}, {"openapi.yaml": new})
    assert check(make_diff("openapi.yaml", old, new, context=3), source=source) == []
    assert source.reads == []


_SPEC_LINES = sample("orders-openapi.yaml").splitlines(keepends=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(min_value=8, max_value=len(_SPEC_LINES) - 1),
    length=st.integers(min_value=1, max_value=12),
    context=st.sampled_from([3, 100_000]),
)
def test_every_contract_anchor_is_a_commentable_diff_line(
    start: int, length: int, context: int
) -> None:
    """Whatever block of a spec is deleted, every finding sits on a line of the diff, on the
    side it names (LEFT: a removed or context line; RIGHT: an added or context line)."""
    old = "".join(_SPEC_LINES)
    new = "".join(_SPEC_LINES[:start] + _SPEC_LINES[start + length :])
    file = make_diff("openapi.yaml", old, new, context=context)
    source = DictSource({"openapi.yaml": old}, {"openapi.yaml": new})
    for finding in check(file, source=source):
        assert finding.line in file.anchors(finding.side)


def test_spec_fixtures_in_tests_are_not_contracts() -> None:
    """A spec under tests/ (a fixture) is not compared when the report marks it a test."""
    old = sample("orders-openapi.yaml")
    new = old.replace("  /v1/legacy/orders:\n", "  /v1/old/orders:\n")
    file = make_diff("tests/fixtures/openapi.yaml", old, new)
    report = FileReport(path=file.path, status="modified", is_test=True)
    assert contracts.check([file], [report], ChecksConfig()) == []
    assert contracts.check([file], [], ChecksConfig()) != []


def test_file_without_a_patch_is_read_from_the_source_and_still_reported() -> None:
    """GitHub sends no patch for very large specs: both versions come from the source and the
    finding keeps the changed line (placement makes it a file-level or summary comment)."""
    old = sample("orders-openapi.yaml")
    new = old.replace('        "404":\n          description: Not found\n', "")
    file = FileDiff(path="openapi.yaml", status="modified", patch_missing=True)
    source = DictSource({"openapi.yaml": old}, {"openapi.yaml": new})
    (finding,) = check(file, source=source)
    assert finding.rule == "response-non-success-status-removed"
    assert finding.line >= 1
