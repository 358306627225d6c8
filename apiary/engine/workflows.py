"""Workflow rules: which transitions a principal may take, and why one is refused.

A principal may take a transition when one of their roles is listed in it (``admin`` always is),
the record is in one of its source states, they may update the record, and its guard holds.
Entering the target state also needs every field the state ``requires``. Records list the
transitions available to the principal as ``_transitions``; for lists that is computed in SQL,
one boolean column per transition, so no per-row Python runs unless a guard cannot be SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from apiary.definition.compiled import ADMIN_ROLE, CompiledExpr, Operation, Transition, Workflow
from apiary.engine.errors import Conflict, FieldProblem, Forbidden, NotFound
from apiary.engine.plans import EntityPlan
from apiary.expr import EvalContext


def may_take(transition: Transition, roles: frozenset[str]) -> bool:
    return ADMIN_ROLE in roles or bool(roles & transition.roles)


class TransitionFlags:
    """Extra SELECT columns that say, per row, which transitions the principal may take."""

    def __init__(self, plan: EntityPlan, roles: frozenset[str], ctx: EvalContext) -> None:
        self.columns: list[sa.ColumnElement[Any]] = []
        self._checks: list[tuple[str, CompiledExpr | None]] = []
        self._guard_columns: dict[str, int] = {}
        self._ctx = ctx
        workflow = plan.entity.workflow
        if workflow is None:
            self.enabled = False
            return
        self.enabled = True
        if not plan.permissions.allows(roles, Operation.UPDATE):
            return
        update = plan.permissions.predicate(roles, Operation.UPDATE, ctx)
        python_names: set[str] = set()
        for t in workflow.transitions.values():
            if not may_take(t, roles):
                continue
            parts: list[sa.ColumnElement[bool]] = [plan.in_sources[t.name], update]
            python_guard = None
            if t.guard is not None and t.guard.sql_ok:
                parts.append(plan.predicates.sql(t.guard, ctx))
            elif t.guard is not None:
                python_guard = t.guard
                python_names |= t.guard.names
            self.columns.append(sa.and_(*parts).label(f"_t_{len(self.columns)}"))
            self._checks.append((t.name, python_guard))
        for name in sorted(python_names):
            self._guard_columns[name] = len(self.columns)
            self.columns.append(plan.columns[name].label(f"_g_{name}"))

    def names(self, row: Sequence[Any], offset: int) -> list[str]:
        """The transitions open on ``row``, whose flag columns start at ``offset``."""
        open_: list[str] = []
        record: dict[str, Any] | None = None
        for i, (name, guard) in enumerate(self._checks):
            if not row[offset + i]:
                continue
            if guard is not None:
                if record is None:
                    record = {n: row[offset + j] for n, j in self._guard_columns.items()}
                if guard.evaluate(record, self._ctx) is not True:
                    continue
            open_.append(name)
        return open_


def find(workflow: Workflow | None, entity_label: str, name: str) -> Transition:
    if workflow is None:
        raise NotFound(f"{entity_label} records have no workflow, so no transition `{name}`.")
    found = workflow.transitions.get(name)
    if found is None:
        names = ", ".join(f"`{n}`" for n in workflow.transitions) or "none"
        raise NotFound(f"{entity_label} has no transition `{name}`; its transitions: {names}.")
    return found


def check_role(transition: Transition, roles: frozenset[str]) -> None:
    if not may_take(transition, roles):
        allowed = ", ".join(sorted(transition.roles)) or "admin only"
        raise Forbidden(f"Your role may not take `{transition.name}`; it is for: {allowed}.")


def check_source(transition: Transition, state: str) -> None:
    if state not in transition.sources:
        sources = ", ".join(f"`{s}`" for s in transition.sources)
        raise Conflict(f"`{transition.name}` cannot be taken while the record is `{state}`; it "
                       f"starts from {sources}.")


def check_guard(transition: Transition, record: Mapping[str, Any], ctx: EvalContext) -> None:
    guard = transition.guard
    if guard is not None and guard.evaluate(record, ctx) is not True:
        raise Forbidden(f"`{transition.name}` is not allowed on this record: its condition "
                        f"`{guard.source}` does not hold for you.")


def required_problems(workflow: Workflow, target: str,
                      record: Mapping[str, Any]) -> list[FieldProblem]:
    """A problem for each field the target state requires that has no value."""
    state = workflow.state(target)
    return [FieldProblem(name, "required_by_state",
                         f"must be filled in before the record can become `{target}`")
            for name in state.requires if record.get(name) in (None, "")]
