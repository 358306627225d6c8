"""The SELECT that reads records as one principal sees them, and its rows turned into records.

Used by list and get, and by every write to return the record it stored. The SELECT list is the
principal's :class:`Shape` (readable fields only) plus one flag column per transition they could
take; the read rule is in the WHERE clause.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar

import sqlalchemy as sa

from apiary.definition.compiled import Operation
from apiary.engine.plans import EntityPlan
from apiary.engine.workflows import TransitionFlags
from apiary.expr import EvalContext

MAX_PAGES: Final = 64
"""List statements kept per reader (sorts and page sizes a principal uses)."""

Statement = TypeVar("Statement", sa.Select[Any], sa.Update, sa.Delete)


def where(query: Statement, *conditions: sa.ColumnElement[bool]) -> Statement:
    """``query`` with the conditions that are not plain ``true`` added."""
    kept = [c for c in conditions if not isinstance(c, sa.sql.elements.True_)]
    return query.where(*kept) if kept else query


class Reader:
    def __init__(self, plan: EntityPlan, roles: frozenset[str], ctx: EvalContext) -> None:
        self.plan = plan
        self.shape = plan.shape(roles)
        self.predicate = plan.permissions.predicate(roles, Operation.READ, ctx)
        self._flags = TransitionFlags(plan, roles, ctx)
        self._offset = len(self.shape.columns)
        self._by_id = self.select().where(plan.table.c.id == sa.bindparam("_id"))
        self._pages: dict[Any, sa.Select[Any]] = {}

    @classmethod
    def of(cls, plan: EntityPlan, roles: frozenset[str], ctx: EvalContext) -> Reader:
        """The reader of ``plan`` for this principal, reused across their requests."""
        return plan.prepared("reader", roles, ctx, lambda: cls(plan, roles, ctx))

    def select(self) -> sa.Select[Any]:
        return where(sa.select(*self.shape.columns, *self._flags.columns), self.predicate)

    def page(self, key: Any, build: Callable[[], sa.Select[Any]]) -> sa.Select[Any]:
        """The list statement for ``key`` (sort, limit...), built once: a statement that is
        reused also keeps its SQLAlchemy cache key, which is costly to compute."""
        found = self._pages.get(key)
        if found is None:
            if len(self._pages) >= MAX_PAGES:
                self._pages.clear()
            found = self._pages[key] = build()
        return found

    def record(self, row: Sequence[Any]) -> dict[str, Any]:
        out = self.shape.serialize(row)
        if self._flags.enabled:
            out["_transitions"] = self._flags.names(row, self._offset)
        return out

    def one(self, conn: sa.Connection, record_id: int) -> dict[str, Any] | None:
        """The record with ``record_id`` if the principal may read it."""
        row = conn.execute(self._by_id, {"_id": record_id}).first()
        return None if row is None else self.record(row)
