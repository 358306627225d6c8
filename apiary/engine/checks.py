"""Field options checked on a value about to be stored: lengths, patterns, bounds, formats.

Called by the write path after coercion, for each field the request sets; ``required`` and the
entity's validation rules are checked on the whole record by :mod:`apiary.engine.candidate`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Final
from urllib.parse import urlsplit

from apiary.definition.compiled import Field, FieldType
from apiary.identity.emails import is_email
from apiary.storage.types import STRING_LENGTHS

_PHONE: Final = re.compile(r"\+?[0-9 ()./-]{5,40}")


def value_problems(field: Field, value: Any) -> Iterator[tuple[str, str]]:
    """(code, message) for everything wrong with a coerced, non-null ``value``."""
    if isinstance(value, str):
        yield from _text(field, value)
    elif field.min is not None or field.max is not None:
        yield from _bounds(field, value)


def _text(field: Field, value: str) -> Iterator[tuple[str, str]]:
    t = field.type
    if t is FieldType.ENUM or field.is_state:
        if value not in field.values:
            yield "enum", f"must be one of: {', '.join(field.values)}"
        return
    limit = field.max_length or STRING_LENGTHS.get(t)
    if limit is not None and len(value) > limit:
        yield "max_length", f"must be at most {limit} characters"
    if field.min_length is not None and len(value) < field.min_length:
        yield "min_length", f"must be at least {field.min_length} characters"
    if field.pattern is not None and re.fullmatch(field.pattern, value) is None:
        example = f" ({field.help})" if field.help else ""
        yield "pattern", f"does not have the expected form{example}"
    if t is FieldType.EMAIL and not is_email(value):
        yield "format", "must be an e-mail address, e.g. name@example.com"
    elif t is FieldType.URL and not _is_url(value):
        yield "format", "must be a web address starting with http:// or https://"
    elif t is FieldType.PHONE and not _is_phone(value):
        yield "format", "must be a telephone number, e.g. +44 20 7946 0958"


def _is_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def _is_phone(value: str) -> bool:
    return _PHONE.fullmatch(value) is not None and sum(c.isdigit() for c in value) >= 5


def _bounds(field: Field, value: Any) -> Iterator[tuple[str, str]]:
    low, high = _bound(field.min), _bound(field.max)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        if low is not None and value < low:
            yield "min", f"must be at least {low}"
        if high is not None and value > high:
            yield "max", f"must be at most {high}"
    elif isinstance(value, dt.date):
        if low is not None and value < low:
            yield "min", f"must be on or after {_show(low)}"
        if high is not None and value > high:
            yield "max", f"must be on or before {_show(high)}"


def _bound(limit: Any) -> Any:
    if isinstance(limit, dt.datetime) and limit.tzinfo is not None:
        return limit.astimezone(dt.UTC).replace(tzinfo=None)
    return limit


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)
