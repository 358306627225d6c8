"""The shape of API paths: which route a path names and which methods it accepts.

One catch-all route serves every app, so routes are matched here against the path rather than
registered per app: publishing a new version of an app needs no new routes. Matching looks only at
the path's shape; whether the app, entity, transition or record exists is decided afterwards.

    /api/<app>/openapi.json                          GET
    /api/<app>/<Entity>                              GET, POST
    /api/<app>/<Entity>/<id>                         GET, PATCH, DELETE
    /api/<app>/<Entity>/<id>/history                 GET
    /api/<app>/<Entity>/<id>/transitions/<name>      POST
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Kind(StrEnum):
    OPENAPI = "openapi"
    COLLECTION = "collection"
    ITEM = "item"
    HISTORY = "history"
    TRANSITION = "transition"


METHODS: Final[dict[Kind, tuple[str, ...]]] = {
    Kind.OPENAPI: ("GET",),
    Kind.COLLECTION: ("GET", "POST"),
    Kind.ITEM: ("GET", "PATCH", "DELETE"),
    Kind.HISTORY: ("GET",),
    Kind.TRANSITION: ("POST",),
}

_SEGMENT: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_RECORD_ID: Final = re.compile(r"[1-9][0-9]{0,17}")
"""Ids are positive 64-bit integers; anything else cannot name a record (and is a 404)."""


@dataclass(frozen=True, slots=True)
class Target:
    kind: Kind
    app: str
    entity: str | None = None
    record_id: str | None = None
    transition: str | None = None

    @property
    def methods(self) -> tuple[str, ...]:
        return METHODS[self.kind]

    def record_number(self) -> int | None:
        """The record id as a number, or None when it cannot be one."""
        if self.record_id is None or not _RECORD_ID.fullmatch(self.record_id):
            return None
        return int(self.record_id)


def match(path: str) -> Target | None:
    """The route of the part of a path after ``/api/``, or None when no route has this shape."""
    parts = path.split("/")
    if not all(_SEGMENT.fullmatch(p) for p in parts):
        return None
    app, rest = parts[0], parts[1:]
    if rest == ["openapi.json"]:
        return Target(Kind.OPENAPI, app)
    if len(rest) == 1:
        return Target(Kind.COLLECTION, app, rest[0])
    if len(rest) == 2:
        return Target(Kind.ITEM, app, rest[0], rest[1])
    if len(rest) == 3 and rest[2] == "history":
        return Target(Kind.HISTORY, app, rest[0], rest[1])
    if len(rest) == 4 and rest[2] == "transitions":
        return Target(Kind.TRANSITION, app, rest[0], rest[1], rest[3])
    return None
