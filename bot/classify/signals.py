"""Content signals for extraction: imports, decorators and DSL calls seen in a file's diff text.

A signal fires when one of its `keys` (identifier tokens) occurs in the text and its pattern
matches; the token test is a set lookup, so most signals cost nothing on most files.
Kinds: `api`, `migration`, `query`; `frontend` (browser or client code, which vetoes weak
path rules); `nodb` (plain data classes, which veto a weak `models` path); `apitest` (a test
that exercises HTTP endpoints).

The Signal type lives in bot.classify.signal and the per-language tables in
bot.classify.scripting_signals and bot.classify.compiled_signals; this module assembles them
into CODE_SIGNALS and re-exports the type, so callers import everything from here.
"""

from __future__ import annotations

from bot.classify.compiled_signals import CSHARP, GO, JVM, RUST
from bot.classify.scripting_signals import JS, PHP, PYTHON, RUBY
from bot.classify.signal import SQL_IN_CODE, Signal, SignalKind, signal

__all__ = ["CODE_SIGNALS", "SQL_IN_CODE", "Signal", "SignalKind", "signal"]

CODE_SIGNALS: dict[str, tuple[Signal, ...]] = {
    "python": PYTHON,
    "ruby": RUBY,
    "js": JS,
    "go": GO,
    "jvm": JVM,
    "php": PHP,
    "csharp": CSHARP,
    "rust": RUST,
}
