"""Database integrity errors translated into the engine's errors.

Unique values are checked by the database itself (a check in Python would race); the violation
is mapped back to the field through the unique index's deterministic name
(:mod:`apiary.storage.naming`). PostgreSQL names the violated index; SQLite names the columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

import sqlalchemy as sa

from apiary.engine.errors import Conflict, EngineError, FieldProblem

_SQLITE_UNIQUE: Final = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)")


def translate(error: sa.exc.IntegrityError, unique_fields: Mapping[str, str],
              table: str) -> EngineError | None:
    """The engine error for ``error``, or None when it is not one we can explain."""
    field = _unique_field(error, unique_fields, table)
    if field is None:
        return None
    message = "is already used by another record; choose another value"
    return Conflict(f"The value of `{field}` is already used by another record.",
                    [FieldProblem(field, "unique", message)])


def _unique_field(error: sa.exc.IntegrityError, unique_fields: Mapping[str, str],
                  table: str) -> str | None:
    diag = getattr(error.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if constraint is not None:
        return unique_fields.get(constraint)
    match = _SQLITE_UNIQUE.search(str(error.orig))
    if match is None:
        return None
    columns = {c.strip() for c in match.group(1).split(",")}
    for name in unique_fields.values():
        if f"{table}.{name}" in columns:
            return name
    return None
