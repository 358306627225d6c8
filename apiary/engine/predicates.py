"""Compiled expressions (rules, guards) turned into SQL for one principal, with a cache.

``compile_sql`` folds everything that does not read the record (``user.id``, ``now``...) into
bound parameters, so its result depends on the principal and, for some expressions, on the
time. Compiling costs a few hundred microseconds, which would dominate a small list request;
the result is therefore cached per expression and per what it actually depends on: the user,
their roles, and the current day (``today``) or instant (``now``) only if the expression reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import sqlalchemy as sa

from apiary.definition.compiled import CompiledExpr
from apiary.expr import EvalContext, Scope, compile_sql
from apiary.expr import ast as expr_ast

MAX_ENTRIES: Final = 4096
"""Entries kept before the cache is emptied; enough for every active user of a busy app."""


class PredicateCache:
    """SQL for the expressions of one entity table, per principal and time.

    Shared by the threads serving one app version; a race can compile an expression twice but
    never returns a wrong entry, since entries are immutable and keyed by all they depend on.
    """

    def __init__(self, scope: Scope, columns: Mapping[str, Any], dialect: str) -> None:
        self._scope = scope
        self._columns = columns
        self._dialect = dialect
        self._entries: dict[tuple[Any, ...], sa.ColumnElement[bool]] = {}
        self._clocks: dict[int, str | None] = {}

    def sql(self, expr: CompiledExpr, ctx: EvalContext) -> sa.ColumnElement[bool]:
        key = (id(expr), ctx.user_id, ctx.user_email, ctx.user_roles, self._time_key(expr, ctx))
        found = self._entries.get(key)
        if found is None:
            found = compile_sql(expr.ast, self._scope, self._columns, ctx, self._dialect)
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = found
        return found

    def _time_key(self, expr: CompiledExpr, ctx: EvalContext) -> Any:
        clock = self._clocks.get(id(expr), "?")
        if clock == "?":
            clock = clock_of(expr)
            self._clocks[id(expr)] = clock
        if clock == "now":
            return ctx.now
        return ctx.today if clock == "today" else None


def clock_of(expr: CompiledExpr) -> str | None:
    """``now`` if the expression reads the instant, ``today`` if only the date, else None."""
    if not expr.uses_time:
        return None
    names = {node.name for node in expr_ast.walk(expr.ast) if isinstance(node, expr_ast.Name)}
    return "now" if "now" in names else "today"
