"""Structured logs with ids only, and a redaction filter as the safety net.

Haven logs events, not text: ``log.info("auth.login", extra={"fields": {"user_id": …}})``.
One JSON object per line, so a value containing a newline can never forge a second line.
The filter is what stands between a mistake and a leak:

- a message that is not an event code (``[a-z0-9_.]+``) is replaced, because free text in a
  message is how member content gets into logs;
- field values are kept only when they look like ids, numbers, booleans or short codes;
- exception messages are dropped (database errors quote their parameters); the type and
  the frames (file, line, function) are kept, which is what debugging needs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
import uuid
from datetime import UTC, datetime

EVENT = re.compile(r"^[a-z0-9_.\-]{1,80}$")
# The server's own lifecycle lines ("Uvicorn running on …") carry no member data; they are
# kept when they look like that and nothing else.
SERVER_LOGGERS = ("uvicorn.error", "uvicorn")
SERVER_TEXT = re.compile(r"^[A-Za-z0-9 .,:/\[\]()+_\-]{1,120}$")
SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.:/\-]{0,64}$")
REDACTED = "[redacted]"


class RedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = _safe_message(record), ()
        record.haven_fields = {k: _safe(v) for k, v in (getattr(record, "fields", None) or {}).items()}
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _, tb = record.exc_info
            frames = traceback.extract_tb(tb)
            record.haven_exception = {
                "type": exc_type.__name__,
                "frames": [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" for f in frames[-12:]],
            }
            record.exc_info, record.exc_text = None, None
        return True


def _safe_message(record: logging.LogRecord) -> str:
    if isinstance(record.msg, str) and not record.args and EVENT.match(record.msg):
        return record.msg
    if record.name in SERVER_LOGGERS:
        try:
            text = record.getMessage()
        except (TypeError, ValueError):
            text = ""
        if SERVER_TEXT.match(text):
            return text
    return "unstructured.message.redacted"


def _safe(value: object) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    text = str(value)
    return text if SAFE_VALUE.match(text) else REDACTED


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            **getattr(record, "haven_fields", {}),
        }
        if getattr(record, "haven_exception", None):
            entry["exception"] = record.haven_exception
        return json.dumps(entry, ensure_ascii=True, default=str)


def configure_logging(level: str = "INFO", stream=None) -> logging.Handler:
    """Route Haven's, uvicorn's and SQLAlchemy's loggers through one redacting JSON handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "haven", False):
            root.removeHandler(existing)
    handler.haven = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    return handler
