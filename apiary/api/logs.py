"""Structured logs: one JSON object per line, so that log shippers need no parsing rules.

The request middleware logs one ``request`` record per request with its fields in the record's
``apiary`` attribute; :class:`JsonFormatter` writes those fields, plus the traceback of an
unexpected error, as JSON. What goes into a record is decided by the caller, and the middleware
never passes tokens, bodies or query strings (filters may contain personal data).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Final

FIELDS_ATTRIBUTE: Final = "apiary"
"""Name of the ``LogRecord`` attribute that holds a record's structured fields."""

API_LOGGER: Final = "apiary.api"


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON: time, level, logger, message and its fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, FIELDS_ATTRIBUTE, None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """Send Apiary's logs to stderr as JSON lines, unless the embedding program set up handlers."""
    logger = logging.getLogger("apiary")
    if logger.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
