"""The diff model: git diffs and GitHub patches into files, hunks, lines and comment anchors."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.diff import parse_diff, parse_patch, unquote_git_path
from bot.errors import DiffError
from bot.models import DiffLine, FileDiff

MODIFIED = "\n".join(
    [
        "diff --git a/app/api/orders.py b/app/api/orders.py",
        "index 3b18e51..a9c4f2d 100644",
        "--- a/app/api/orders.py",
        "+++ b/app/api/orders.py",
        "@@ -10,7 +10,8 @@ from app.db import get_session",
        " router = APIRouter()",
        " ",
        " ",
        '-@router.get("/orders")',
        '+@router.get("/orders", response_model=list[OrderOut])',
        '+@limiter.limit("10/second")',
        " def list_orders(session=Depends(get_session)):",
        "     return session.query(Order).all()",
        " ",
        "@@ -40,4 +41,3 @@ def cancel(order_id: int):",
        "     order = session.get(Order, order_id)",
        '-    order.status = "cancelled"',
        "-    session.commit()",
        "+    order.cancel()",
        "     return order",
        "",
    ]
)

ADDED = """\
diff --git a/migrations/0002_status.sql b/migrations/0002_status.sql
new file mode 100644
index 0000000..e69de29
--- /dev/null
+++ b/migrations/0002_status.sql
@@ -0,0 +1,2 @@
+ALTER TABLE orders ADD COLUMN status text;
+CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);
"""

DELETED = """\
diff --git a/legacy/report.sql b/legacy/report.sql
deleted file mode 100644
index 4c2a1b9..0000000
--- a/legacy/report.sql
+++ /dev/null
@@ -1,2 +0,0 @@
-SELECT *
-FROM orders;
"""


def _one(text: str | bytes) -> FileDiff:
    files = parse_diff(text)
    assert len(files) == 1
    return files[0]


def _kinds(file: FileDiff) -> list[str]:
    return [ln.kind for h in file.hunks for ln in h.lines]


def test_modified_file_lines_and_numbers() -> None:
    """Old and new line numbers follow the hunk headers; the section header is kept."""
    f = _one(MODIFIED)
    assert (f.path, f.status, f.old_path, f.is_binary) == (
        "app/api/orders.py",
        "modified",
        None,
        False,
    )
    first, second = f.hunks
    assert (first.old_start, first.old_length, first.new_start, first.new_length) == (10, 7, 10, 8)
    assert first.section == "from app.db import get_session"
    assert first.lines[3] == DiffLine("-", 13, None, '@router.get("/orders")')
    assert first.lines[5] == DiffLine("+", None, 14, '@limiter.limit("10/second")')
    assert second.lines[-1] == DiffLine(" ", 43, 43, "    return order")
    assert (f.additions, f.deletions) == (3, 3)


def test_anchors_per_side_and_hunk() -> None:
    """RIGHT: new numbers of added and context lines; LEFT: old numbers of removed and context."""
    f = _one(MODIFIED)
    assert f.right_anchors == {**dict.fromkeys(range(10, 18), 0), **dict.fromkeys(range(41, 44), 1)}
    assert f.left_anchors == {**dict.fromkeys(range(10, 17), 0), **dict.fromkeys(range(40, 44), 1)}
    assert f.anchors("RIGHT") is f.right_anchors and f.anchors("LEFT") is f.left_anchors
    assert f.new_text_lines()[14] == '@limiter.limit("10/second")'


def test_added_file() -> None:
    f = _one(ADDED)
    assert (f.path, f.status, f.old_path) == ("migrations/0002_status.sql", "added", None)
    assert f.left_anchors == {} and f.right_anchors == {1: 0, 2: 0}
    assert f.added_text().startswith("ALTER TABLE orders")


def test_deleted_file_keeps_its_old_path() -> None:
    f = _one(DELETED)
    assert (f.path, f.status) == ("legacy/report.sql", "removed")
    assert f.right_anchors == {} and f.left_anchors == {1: 0, 2: 0}


def test_rename_without_changes() -> None:
    text = (
        "diff --git a/app/models.py b/app/db/models.py\n"
        "similarity index 100%\nrename from app/models.py\nrename to app/db/models.py\n"
    )
    f = _one(text)
    assert (f.path, f.status, f.old_path, f.hunks) == (
        "app/db/models.py",
        "renamed",
        "app/models.py",
        (),
    )


def test_rename_with_changes() -> None:
    text = (
        "diff --git a/api/v1.py b/api/v2.py\nsimilarity index 90%\nrename from api/v1.py\n"
        "rename to api/v2.py\nindex 1111111..2222222 100644\n--- a/api/v1.py\n+++ b/api/v2.py\n"
        "@@ -1,2 +1,2 @@\n-VERSION = 1\n+VERSION = 2\n ROUTES = []\n"
    )
    f = _one(text)
    assert (f.path, f.status, f.old_path) == ("api/v2.py", "renamed", "api/v1.py")
    assert f.right_anchors == {1: 0, 2: 0}


def test_copy_is_an_added_file_that_remembers_its_source() -> None:
    text = (
        "diff --git a/db/q1.sql b/db/q2.sql\nsimilarity index 80%\ncopy from db/q1.sql\n"
        "copy to db/q2.sql\nindex 1111111..2222222 100644\n--- a/db/q1.sql\n+++ b/db/q2.sql\n"
        "@@ -1 +1,2 @@\n SELECT 1;\n+SELECT 2;\n"
    )
    f = _one(text)
    assert (f.path, f.status, f.old_path, f.copied) == ("db/q2.sql", "added", "db/q1.sql", True)


def test_zero_context_insertion_at_the_top_is_a_modification() -> None:
    """`git diff -U0` adding lines before line 1 is not a new file: git's header decides."""
    text = "diff --git a/x.py b/x.py\nindex 1111111..2222222 100644\n--- a/x.py\n+++ b/x.py\n"
    f = _one(text + "@@ -0,0 +1 @@\n+import os\n")
    assert (f.status, f.right_anchors) == ("modified", {1: 0})


@pytest.mark.parametrize(
    ("header", "status"),
    [
        pytest.param("new file mode 100644\nindex 0000000..e69de29\n", "added", id="added"),
        pytest.param("deleted file mode 100644\nindex e69de29..0000000\n", "removed", id="removed"),
    ],
)
def test_empty_file_added_or_removed(header: str, status: str) -> None:
    f = _one(f"diff --git a/empty.py b/empty.py\n{header}")
    assert (f.path, f.status, f.hunks) == ("empty.py", status, ())


def test_new_file_after_a_mail_preamble() -> None:
    mail = "From 1234 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] add\n\n---\n"
    assert _one(mail + ADDED).status == "added"


def test_git_binary_patch_data_is_not_read_as_lines() -> None:
    text = (
        "diff --git a/img.bin b/img.bin\nindex 8352675..89967d1 100644\nGIT binary patch\n"
        "literal 4\nLcmZQzWn%{b044wv\n\nliteral 3\nKcmZQzWC8#H2LJ>B\n\n"
    )
    files = parse_diff(text + ADDED)
    f = files[0]
    assert [g.path for g in files] == ["img.bin", "migrations/0002_status.sql"]
    assert (f.path, f.is_binary, f.hunks) == ("img.bin", True, ())


def test_binary_file() -> None:
    text = (
        "diff --git a/docs/erd.png b/docs/erd.png\nindex 1111111..2222222 100644\n"
        "Binary files a/docs/erd.png and b/docs/erd.png differ\n"
    )
    f = _one(text)
    assert (f.path, f.is_binary, f.hunks) == ("docs/erd.png", True, ())


def test_mode_only_change() -> None:
    f = _one("diff --git a/bin/migrate b/bin/migrate\nold mode 100644\nnew mode 100755\n")
    assert (f.path, f.status, f.hunks) == ("bin/migrate", "modified", ())


def test_no_newline_at_end_of_file_is_not_a_line() -> None:
    text = (
        "diff --git a/a.sql b/a.sql\n--- a/a.sql\n+++ b/a.sql\n@@ -1 +1 @@\n-SELECT 1\n"
        "\\ No newline at end of file\n+SELECT 2;\n\\ No newline at end of file\n"
    )
    f = _one(text)
    assert f.hunks[0].lines == (
        DiffLine("-", 1, None, "SELECT 1"),
        DiffLine("+", None, 1, "SELECT 2;"),
    )


def test_crlf_content_lines_lose_the_carriage_return() -> None:
    text = "--- a/w.cs\n+++ b/w.cs\n@@ -1,2 +1,2 @@\n using X;\r\n-int a;\r\n+int b;\r\n"
    assert [ln.text for ln in _one(text).hunks[0].lines] == ["using X;", "int a;", "int b;"]


def test_diff_saved_with_crlf_line_ends_throughout() -> None:
    """A diff file converted to CRLF (Windows editors) parses like the original."""
    crlf = (ADDED + DELETED).replace("\n", "\r\n")
    files = parse_diff(crlf.encode())
    assert [(f.path, f.status) for f in files] == [
        ("migrations/0002_status.sql", "added"),
        ("legacy/report.sql", "removed"),
    ]
    assert files[0].hunks[0].lines[0].text == "ALTER TABLE orders ADD COLUMN status text;"


def test_bytes_that_are_not_utf8_are_replaced() -> None:
    text = b"--- a/l.txt\n+++ b/l.txt\n@@ -0,0 +1 @@\n+caf\xe9 cr\xe8me\n"
    assert _one(text).hunks[0].lines[0].text == "caf\ufffd cr\ufffdme"


def test_git_quoted_non_ascii_paths_are_decoded() -> None:
    text = (
        'diff --git "a/caf\\303\\251/men\\303\\274.py" "b/caf\\303\\251/men\\303\\274.py"\n'
        '--- "a/caf\\303\\251/men\\303\\274.py"\n+++ "b/caf\\303\\251/men\\303\\274.py"\n'
        "@@ -1 +1 @@\n-a = 1\n+a = 2\n"
    )
    assert _one(text).path == "café/menü.py"


def test_quoted_rename_without_changes() -> None:
    text = (
        'diff --git "a/na\\303\\257ve.py" "b/r\\303\\251sum\\303\\251.py"\nsimilarity index 100%\n'
        'rename from "na\\303\\257ve.py"\nrename to "r\\303\\251sum\\303\\251.py"\n'
    )
    f = _one(text)
    assert (f.path, f.old_path) == ("résumé.py", "naïve.py")


@pytest.mark.parametrize(
    ("quoted", "plain"),
    [
        pytest.param('"a\\tb.py"', "a\tb.py", id="tab"),
        pytest.param('"say \\"hi\\".py"', 'say "hi".py', id="quote"),
        pytest.param('"back\\\\slash.py"', "back\\slash.py", id="backslash"),
        pytest.param("plain.py", "plain.py", id="unquoted"),
        pytest.param('"', '"', id="lone-quote"),
    ],
)
def test_unquote_git_path(quoted: str, plain: str) -> None:
    assert unquote_git_path(quoted) == plain


def test_paths_with_spaces() -> None:
    text = (
        "diff --git a/with space.py b/still space.py\nsimilarity index 50%\n"
        "rename from with space.py\nrename to still space.py\n--- a/with space.py\t\n"
        "+++ b/still space.py\t\n@@ -1 +1,2 @@\n x\n+y\n"
    )
    f = _one(text)
    assert (f.path, f.old_path) == ("still space.py", "with space.py")


@pytest.mark.parametrize("text", ["", "\n", "  \n\n"], ids=["empty", "newline", "blank"])
def test_empty_diff_is_no_files(text: str) -> None:
    assert parse_diff(text) == []
    assert parse_diff(text.encode()) == []


def test_several_diffs_concatenated() -> None:
    """`git diff` outputs back to back (or format-patch mails) give every file, in order."""
    mail = "From 1234 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] add status\n\n---\n"
    files = parse_diff(mail + MODIFIED + "-- \n2.43.0\n\n" + ADDED + DELETED + MODIFIED)
    assert [f.path for f in files] == [
        "app/api/orders.py",
        "migrations/0002_status.sql",
        "legacy/report.sql",
        "app/api/orders.py",
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("hello\nworld\n", id="prose"),
        pytest.param("--- just a dashed line\nand more\n", id="dashes-only"),
        pytest.param('{"files": []}', id="json"),
    ],
)
def test_not_a_diff_is_an_error(text: str) -> None:
    with pytest.raises(DiffError, match="not a unified diff"):
        parse_diff(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("--- a/a.py\n+++ b/a.py\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n", id="short-hunk"),
        pytest.param(
            "--- a/a.py\n+++ b/a.py\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n" + MODIFIED, id="short-then-next"
        ),
        pytest.param("--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n a\n?? what\n", id="junk-line"),
        pytest.param("--- a/a.py\n+++ b/a.py\n@@ -x +y @@\n a\n", id="bad-header"),
        pytest.param("@@ -1 +1 @@ no file\n-a\n+b\n", id="hunk-without-file"),
    ],
)
def test_malformed_hunk_is_an_error(text: str) -> None:
    """One line that names the problem, never a traceback from the parser."""
    with pytest.raises(DiffError, match="malformed") as info:
        parse_diff(text)
    assert "\n" not in str(info.value)


# --- GitHub per-file patches --------------------------------------------------------------

PATCH = "@@ -1,3 +1,4 @@ class Order:\n     id = 1\n-    total = 0\n+    total = 1\n+    status = 'new'\n     x = 2"


def test_patch_without_trailing_newline() -> None:
    """GitHub's `patch` field has no headers and usually no final newline."""
    f = parse_patch("app/models.py", PATCH)
    assert (f.path, f.status, f.patch_missing) == ("app/models.py", "modified", False)
    assert f.hunks[0].section == "class Order:"
    assert f.right_anchors == {1: 0, 2: 0, 3: 0, 4: 0}
    assert f.left_anchors == {1: 0, 2: 0, 3: 0}
    assert f.hunks[0].lines[-1] == DiffLine(" ", 3, 4, "    x = 2")


def test_patch_of_added_removed_and_renamed_files() -> None:
    added = parse_patch("db/1.sql", "@@ -0,0 +1,2 @@\n+A;\n+B;\n", status="added")
    removed = parse_patch("db/0.sql", "@@ -1 +0,0 @@\n-A;", status="removed")
    renamed = parse_patch("b.py", "@@ -1 +1 @@\n-x\n+y", status="renamed", old_path="a.py")
    assert added.right_anchors == {1: 0, 2: 0} and added.status == "added"
    assert removed.left_anchors == {1: 0} and removed.right_anchors == {}
    assert (renamed.old_path, renamed.right_anchors) == ("a.py", {1: 0})


@pytest.mark.parametrize("patch", [None, ""], ids=["none", "empty"])
def test_missing_patch(patch: str | None) -> None:
    """No patch (binary, too large, pure rename): a file with no hunks, marked as such."""
    f = parse_patch("big.sql", patch, status="added")
    assert (f.hunks, f.patch_missing, f.status) == ((), True, "added")


@pytest.mark.parametrize(
    "patch",
    [
        pytest.param("@@ -1,3 +1,3 @@\n a\n", id="short"),
        pytest.param("this is not a patch", id="no-hunk"),
    ],
)
def test_malformed_patch_is_an_error(patch: str) -> None:
    with pytest.raises(DiffError, match=r"malformed patch for x\.py"):
        parse_patch("x.py", patch)


def test_patch_with_no_newline_marker() -> None:
    patch = "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file"
    assert _kinds(parse_patch("x.txt", patch)) == ["-", "+"]


# --- property: anchors are exactly the lines of the hunks ------------------------------------

# Line texts: plain and diff-like characters, tabs, form feeds, non-ASCII and a line separator
# that str.splitlines() would split on (the diff must not).
_TEXT = st.text(
    alphabet=st.sampled_from(list("ab +-@\\#\t\x0c\u00e9\u4e2d\U0001f600\u2028")), max_size=12
)


@dataclass
class _Gen:
    """A generated file: its rendered hunks and the anchors it must have."""

    path: str
    body: str
    right: dict[int, int]
    left: dict[int, int]
    lines: list[tuple[str, int | None, int | None, str]]


@st.composite
def _file(draw: st.DrawFn, index: int) -> _Gen:
    hunks = draw(
        st.lists(
            st.tuples(
                st.integers(0, 9),  # unchanged lines before the hunk
                st.lists(st.tuples(st.sampled_from("+- "), _TEXT), min_size=1, max_size=8),
            ),
            min_size=1,
            max_size=4,
        )
    )
    no_newline = draw(st.booleans())
    old_no = new_no = 1
    body: list[str] = []
    right: dict[int, int] = {}
    left: dict[int, int] = {}
    expected: list[tuple[str, int | None, int | None, str]] = []
    for h, (gap, lines) in enumerate(hunks):
        old_no += gap
        new_no += gap
        old_len = sum(1 for k, _ in lines if k != "+")
        new_len = sum(1 for k, _ in lines if k != "-")
        old_hdr = old_no if old_len else old_no - 1
        new_hdr = new_no if new_len else new_no - 1
        body.append(f"@@ -{old_hdr},{old_len} +{new_hdr},{new_len} @@ hunk {h}\n")
        for kind, text in lines:
            o = old_no if kind != "+" else None
            n = new_no if kind != "-" else None
            if o is not None:
                left[o] = h
                old_no += 1
            if n is not None:
                right[n] = h
                new_no += 1
            expected.append((kind, o, n, text))
            body.append(f"{kind}{text}\n")
    if no_newline:
        body.append("\\ No newline at end of file\n")
    return _Gen(f"pkg{index}/m{index}.py", "".join(body), right, left, expected)


@st.composite
def _diff(draw: st.DrawFn) -> list[_Gen]:
    count = draw(st.integers(1, 3))
    return [draw(_file(i)) for i in range(count)]


def _render(files: list[_Gen]) -> str:
    return "".join(
        f"diff --git a/{g.path} b/{g.path}\nindex 1111111..2222222 100644\n"
        f"--- a/{g.path}\n+++ b/{g.path}\n{g.body}"
        for g in files
    )


def _assert_matches(parsed: FileDiff, gen: _Gen) -> None:
    assert parsed.path == gen.path
    assert parsed.right_anchors == gen.right  # every RIGHT anchor is real, in its hunk, none missed
    assert parsed.left_anchors == gen.left
    got = [(ln.kind, ln.old_no, ln.new_no, ln.text) for h in parsed.hunks for ln in h.lines]
    assert got == gen.lines
    for i, hunk in enumerate(parsed.hunks):
        for ln in hunk.lines:
            if ln.new_no is not None:
                assert parsed.right_anchors[ln.new_no] == i
            if ln.old_no is not None:
                assert parsed.left_anchors[ln.old_no] == i


@settings(max_examples=100, deadline=None)
@given(_diff())
def test_anchors_are_exactly_the_hunk_lines(files: list[_Gen]) -> None:
    """Generated diffs: each anchor is a real line on its side, in the right hunk; none is missed."""
    parsed = parse_diff(_render(files))
    assert len(parsed) == len(files)
    for got, gen in zip(parsed, files, strict=True):
        _assert_matches(got, gen)


@settings(max_examples=60, deadline=None)
@given(_file(0))
def test_patch_anchors_match_the_same_hunks(gen: _Gen) -> None:
    """A GitHub patch (the same hunks without headers) gives the same anchors."""
    _assert_matches(parse_patch(gen.path, gen.body.rstrip("\n")), gen)
