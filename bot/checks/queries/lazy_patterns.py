"""N+1 through relations in Ruby (ActiveRecord) and TypeScript/JavaScript (TypeORM), by patterns.

ActiveRecord loads an association on first read: `posts.each { |p| p.comments.count }` runs
one query per post unless the relation says `includes`/`preload`/`eager_load` for it. The
associations come from `has_many`/`belongs_to`/... in the model files of the diff and, with a
content source, `app/models/<name>.rb` at head; without them, a plural name followed by a
collection call is taken as an association. TypeORM lazy relations are promises: `await
user.photos` in a loop is one query per user. GORM and Prisma relation reads are calls
(`Association(...)`, `findUnique().author()`), which the query-in-loop rule already sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.checks.queries.common import Hit
from bot.models import ContentSource, FileDiff

_CLASS = re.compile(r"^\s*class\s+(\w+)\s*<\s*(?:ApplicationRecord|ActiveRecord::Base)", re.M)
_ASSOC = re.compile(
    r"^\s*(has_many|has_one|belongs_to|has_and_belongs_to_many)\s+:(\w+)(?![^\n]*\bthrough:)", re.M
)
_RB_LOOP = re.compile(
    r"(?P<recv>@?[\w:]+(?:\.[\w?!]+(?:\([^()\n]*(?:\([^()\n]*\)[^()\n]*)*\))?)*)"
    r"\.(?:each|find_each|each_with_index|map|flat_map|collect|filter_map|sum|each_with_object)"
    r"(?:\([^()\n]*\))?\s*(?:do|\{)\s*\|\s*(?P<var>\w+)"
)
_LOADERS = re.compile(r"\.(?:includes|preload|eager_load)\(([^\n]*)")
_COLLECTION = (
    r"(?:count|size|length|each|map|where|find_by|exists\?|pluck|sum|first|last|any\?|order|to_a)\b"
)
_TS_LOOP = re.compile(r"for\s*\(\s*(?:const|let|var)\s+(\w+)\s+of\s+[^)]*\)\s*\{")
_LAZY_PROP = re.compile(r"@(?:OneToMany|ManyToOne|OneToOne|ManyToMany)\([^\n]*\blazy:\s*true")
_PROMISE_PROP = re.compile(r"^\s*(?:public\s+|readonly\s+)*(\w+)\s*[!?]?:\s*Promise<", re.M)
_MAX_READS = 16


@dataclass
class Associations:
    models: dict[str, dict[str, bool]] = field(default_factory=dict)  # model -> name -> many

    def add(self, text: str) -> None:
        classes = list(_CLASS.finditer(text))
        for i, cls in enumerate(classes):
            end = classes[i + 1].start() if i + 1 < len(classes) else len(text)
            assocs = self.models.setdefault(cls.group(1), {})
            for m in _ASSOC.finditer(text, cls.end(), end):
                assocs[m.group(2)] = m.group(1) in {"has_many", "has_and_belongs_to_many"}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name.rsplit("::", maxsplit=1)[-1]).lower()


def ruby_associations(
    files: list[tuple[str, str]], source: ContentSource | None, models: set[str]
) -> Associations:
    """Associations of the changed model files and of the named models at head."""
    found = Associations()
    for _, text in files:
        if "ApplicationRecord" in text or "ActiveRecord::Base" in text:
            found.add(text)
    if source is not None:
        for model in sorted(models - set(found.models))[:_MAX_READS]:
            head = source.read(f"app/models/{_snake(model)}.rb", side="head")
            if head:
                found.add(head)
    return found


def loop_models(text: str) -> set[str]:
    """Model names whose relations the file loops over (for reading them at head)."""
    out = set()
    for m in _RB_LOOP.finditer(text):
        head = _resolve(text, m.group("recv"), m.start())
        if head[:1].isupper():
            out.add(re.split(r"[.(]", head)[0])
    return out


def _resolve(text: str, recv: str, before: int) -> str:
    """`@posts` -> the expression last assigned to it above the loop."""
    base = re.split(r"\.", recv, maxsplit=1)[0]
    if base[:1].isupper():
        return recv
    assigned = None
    for m in re.finditer(rf"^\s*{re.escape(base)}\s*=\s*([^\n]+)", text[:before], re.M):
        assigned = m.group(1)
    return f"{assigned}{recv[len(base) :]}" if assigned else recv


def _block_end(text: str, start: int) -> int:
    """End of the `do ... end` block whose line starts at `start` (indentation)."""
    line_start = text.rfind("\n", 0, start) + 1
    indent = len(text[line_start:start]) - len(text[line_start:start].lstrip())
    for m in re.finditer(r"^([ \t]*)end\b", text[start:], re.M):
        if len(m.group(1)) == indent:
            return start + m.start()
    return len(text)


def scan_ruby(text: str, first_line: int, assocs: Associations) -> list[Hit]:
    """Association reads on the items of a relation looped over in `text`."""
    hits: list[Hit] = []
    for m in _RB_LOOP.finditer(text):
        chain = _resolve(text, m.group("recv"), m.start())
        model = re.split(r"[.(]", chain)[0]
        if not model[:1].isupper():
            continue
        loaded = {s for lm in _LOADERS.finditer(chain) for s in re.findall(r":?(\w+)", lm.group(1))}
        known = assocs.models.get(model)
        var = re.escape(m.group("var"))
        body = text[m.end() : _block_end(text, m.start())]
        seen = set()
        for access in re.finditer(rf"(?<![\w.@]){var}\.(\w+)(\.{_COLLECTION})?", body):
            name = access.group(1)
            many = known.get(name) if known is not None else None
            if many is None and known is None and access.group(2) and name.endswith("s"):
                many = True
            if many is None or name in loaded or name in seen:
                continue
            seen.add(name)
            line = first_line + text.count("\n", 0, m.end() + access.start())
            fix = f"`includes(:{name})` (or `preload`) on the `{model}` relation"
            detail = f"{m.group('var')}.{name}: association of {model}"
            hits.append(Hit("n-plus-one-query", line, detail, fix=fix))
    return hits


def lazy_properties(files: list[tuple[str, str]]) -> set[str]:
    """TypeORM relation properties declared lazy (`lazy: true` or typed `Promise<...>`)."""
    out: set[str] = set()
    for _, text in files:
        if "typeorm" not in text:
            continue
        out |= set(_PROMISE_PROP.findall(text))
        for m in _LAZY_PROP.finditer(text):
            prop = _PROMISE_PROP.match(text, text.find("\n", m.end()) + 1)
            nxt = re.match(r"\s*(?:public\s+)?(\w+)", text[text.find("\n", m.end()) + 1 :])
            if prop:
                out.add(prop.group(1))
            elif nxt:
                out.add(nxt.group(1))
    return out


def scan_typescript(text: str, first_line: int, lazy: set[str]) -> list[Hit]:
    """`await item.relation` (a lazy relation's promise) inside a for-of loop."""
    hits: list[Hit] = []
    for m in _TS_LOOP.finditer(text):
        depth, end = 1, len(text)
        for i in range(m.end(), len(text)):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                end = i
                break
        var = re.escape(m.group(1))
        for access in re.finditer(rf"\bawait\s+{var}\.(\w+)\b(?!\s*\()", text[m.end() : end]):
            name = access.group(1)
            if lazy and name not in lazy:
                continue
            line = first_line + text.count("\n", 0, m.end() + access.start())
            hits.append(
                Hit(
                    "n-plus-one-query",
                    line,
                    f"await {m.group(1)}.{name}: lazy relation",
                    fix=f'`relations: ["{name}"]` (or a join) on the query that loads the list',
                )
            )
    return hits


def file_text(file: FileDiff, source: ContentSource | None) -> tuple[str, int]:
    """The head text (first line 1) when known, else the new side with unseen lines blank."""
    if source is not None and file.status != "added":
        head = source.read(file.path, side="head")
        if head is not None:
            return head, 1
    lines = file.new_text_lines()
    last = max(lines, default=0)
    return "\n".join(lines.get(i, "") for i in range(1, last + 1)), 1


def pattern_relations(files: list[FileDiff], source: ContentSource | None) -> dict[str, list[Hit]]:
    """Relation N+1 hits per path for the Ruby and TypeScript/JavaScript files of a change."""
    ruby: list[tuple[str, str]] = []
    script: list[tuple[str, str]] = []
    for file in files:
        if file.status == "removed" or file.is_binary:
            continue
        lower = file.path.lower()
        if lower.endswith((".rb", ".rake")):
            ruby.append((file.path, file_text(file, source)[0]))
        elif lower.endswith((".ts", ".tsx", ".js", ".mjs", ".cjs", ".mts", ".cts")):
            text = file_text(file, source)[0]
            if "await" in text or "typeorm" in text:
                script.append((file.path, text))
    out: dict[str, list[Hit]] = {}
    loopy = [(p, t) for p, t in ruby if "|" in t and _RB_LOOP.search(t)]
    if loopy:
        models = set().union(*(loop_models(t) for _, t in loopy))
        assocs = ruby_associations(ruby, source, models)
        for path, text in loopy:
            out[path] = scan_ruby(text, 1, assocs)
    loops = [(p, t) for p, t in script if " of " in t and _TS_LOOP.search(t)]
    if loops:
        lazy = lazy_properties(script)
        for path, text in loops:
            out[path] = scan_typescript(text, 1, lazy)
    return out
