"""The model review's progress on stderr: one line redrawn in place on a terminal, plain
lines when stderr is piped or logged. stdout is left to the document asked for."""

from __future__ import annotations

from typing import IO

from bot.llm.progress import RequestDone, describe


class StderrProgress:
    """A progress callback for the local command (`--quiet` simply passes none)."""

    def __init__(self, stream: IO[str], *, tty: bool) -> None:
        self.stream = stream
        self.tty = tty
        self.drawn = False  # a line is on the terminal without its newline yet

    def __call__(self, event: RequestDone) -> None:
        line = describe(event)
        if self.tty:
            self.stream.write("\r\x1b[2K" + line)
            self.drawn = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the redrawn line, so what follows on the terminal starts on its own line."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False
