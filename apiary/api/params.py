"""Query parameters and conditional headers: text from the URL to plain values, or a 400.

The dispatcher calls :func:`list_params` for ``GET /api/<app>/<Entity>``, :func:`expand_param`
for a single record, and :func:`if_match` for writes. Everything the engine must judge (whether a
field exists and may be filtered by this caller, whether a filter type-checks, what a cursor
means) is passed through untouched: the API checks only the syntax of parameters it owns.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from apiary.api.problems import Issue, Problem

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 200
LIST_PARAMS: Final = ("filter", "sort", "limit", "after", "count", "expand")
"""Parameters of a list request; every other parameter is an equality shortcut on a field.
A field named like one of these is filtered with ``filter`` instead."""

_FIELD_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_ETAG: Final = re.compile(r'(?:W/)?"?([0-9]{1,18})"?')


@dataclass(frozen=True, slots=True)
class ListParams:
    filter: str | None = None
    equals: dict[str, str] = field(default_factory=dict)
    sort: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    after: str | None = None
    count: bool = False
    expand: tuple[str, ...] = ()


def list_params(items: Sequence[tuple[str, str]]) -> ListParams:
    """Parse a list request's query.

    Every parameter that is not one of :data:`LIST_PARAMS` is an equality shortcut, passed to the
    engine as it is: the engine alone knows which fields this caller may read, and answers a
    hidden field exactly as it answers a field that does not exist.
    """
    counts = Counter(name for name, _ in items)
    repeated = [name for name, n in counts.items() if n > 1]
    if repeated:
        raise _bad([Issue(name, "repeated_parameter",
                          f"`{name}` is given more than once; give it once.")
                    for name in repeated])
    values = dict(items)
    return ListParams(
        filter=values.get("filter") or None,
        equals={k: v for k, v in values.items() if k not in LIST_PARAMS},
        sort=_names(values, "sort", allow_minus=True),
        limit=_limit(values.get("limit")),
        after=values.get("after") or None,
        count=_boolean(values.get("count"), "count"),
        expand=_expand(values),
    )


def expand_param(items: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The ``expand`` parameter of a single-record read, the only parameter it takes."""
    unknown = [_unknown(name) for name, _ in items if name != "expand"]
    if unknown:
        raise _bad(unknown)
    if len(items) > 1:
        raise _bad([Issue("expand", "repeated_parameter",
                          "`expand` is given more than once; give it once.")])
    return _expand(dict(items))


def no_params(items: Sequence[tuple[str, str]]) -> None:
    """Routes that take no query parameters reject any, so a typo never goes unnoticed."""
    if items:
        raise _bad([_unknown(name) for name, _ in items])


def if_match(headers: Mapping[str, str]) -> int | None:
    """The row version in ``If-Match`` (``"3"``, ``3`` or ``W/"3"``); None when absent or ``*``."""
    value = headers.get("if-match")
    if value is None or value.strip() == "*":
        return None
    match = _ETAG.fullmatch(value.strip())
    if match is None:
        raise _bad([Issue("If-Match", "invalid_header",
                          'If-Match must be the row_version of the record, e.g. "3".')])
    return int(match.group(1))


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise _bad([Issue("limit", "out_of_range",
                          f"limit must be a whole number from 1 to {MAX_LIMIT}.")])
    return int(value)


def _boolean(value: str | None, name: str) -> bool:
    if value is None or value == "false":
        return False
    if value == "true":
        return True
    raise _bad([Issue(name, "invalid_boolean", f"{name} must be true or false.")])


def _names(values: Mapping[str, str], name: str, *, allow_minus: bool) -> tuple[str, ...]:
    """A comma-separated list of field names (``-`` marks descending when ``allow_minus``)."""
    text = values.get(name)
    if not text:
        return ()
    parts = tuple(part.strip() for part in text.split(","))
    for part in parts:
        bare = part[1:] if allow_minus and part.startswith("-") else part
        if not _FIELD_NAME.fullmatch(bare):
            example = "-priority,title" if allow_minus else "assignee,account"
            raise _bad([Issue(name, "invalid_list",
                              f"{name} must be field names separated by commas, e.g. {example}.")])
    return parts


def _expand(values: Mapping[str, str]) -> tuple[str, ...]:
    """Reference fields to expand, each once however often it is named."""
    return tuple(dict.fromkeys(_names(values, "expand", allow_minus=False)))


def _unknown(name: str) -> Issue:
    return Issue(name, "unknown_parameter", f"`{name}` is not a parameter of this request.")


def _bad(issues: list[Issue]) -> Problem:
    names = ", ".join(dict.fromkeys(i.field for i in issues))
    return Problem(400, f"Check the request's parameters: {names}.", errors=issues)
