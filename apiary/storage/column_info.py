"""What a desired column stands for, attached to the SQLAlchemy ``Column`` it describes.

The table builder records, for each column it creates, the field it stores, the name it had
before a rename, and the value existing rows get when the column is added or becomes required.
The migration planner reads it back with :func:`info_of`; reflected columns have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from apiary.definition.compiled import Field

_KEY: Final = "apiary"


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    field: Field | None = None
    """The field stored in this column; None for system columns."""
    renamed_from: str | None = None
    """The column's previous name, when the definition renamed its field."""
    backfill: Any = None
    """Value given to existing rows (a field default, or ``now``/``today``); None when there is
    none and existing rows would need one."""
    system: bool = False
    """Columns the engine manages (``id``, ``created_at`` ...)."""


def attach(column: sa.Column[Any], info: ColumnInfo) -> sa.Column[Any]:
    column.info[_KEY] = info
    return column


def info_of(column: sa.Column[Any]) -> ColumnInfo:
    found = column.info.get(_KEY)
    return found if isinstance(found, ColumnInfo) else ColumnInfo()
