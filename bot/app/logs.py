"""Structured logs: one JSON object per line on stderr, for deliveries, jobs and the process.

Fields are chosen by the caller (delivery id, event, repository, PR, head, outcome, duration);
nothing here ever formats a token or a key, and exception tracebacks are not logged.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

LOGGER = "backend_review.app"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        line: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "msg": record.getMessage(),
        }
        if isinstance(fields, dict):
            line.update(fields)
        return json.dumps(line, ensure_ascii=False, default=str)


def setup(level: int = logging.INFO) -> None:
    """JSON lines on stderr for our logger; huey's own chatter only from warnings up."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger(LOGGER).setLevel(level)


def log(msg: str, level: int = logging.INFO, **fields: Any) -> None:
    logging.getLogger(LOGGER).log(level, msg, extra={"fields": fields})
