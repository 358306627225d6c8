"""Refs between records: what a ref may point at, and what a delete does to records pointing here.

A ref may only point at a record the principal may read (any user, for ``User``): otherwise
linking to an id would reveal whether a hidden record exists. Deleting a record applies each
referring field's ``on_delete`` *in the engine*, before the delete, rather than leaving it to
the database's foreign keys: ``restrict`` becomes a 409 naming what still refers to the record,
``set_null`` an update and ``cascade`` a delete of each referring record, each with its own
audit entry. The foreign keys still enforce the same rules underneath.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from apiary.definition.compiled import USER_ENTITY, Entity, FieldType, OnDelete, Operation
from apiary.engine.errors import Conflict, FieldProblem
from apiary.engine.plans import AppPlan, EntityPlan, Reference
from apiary.expr import EvalContext


def missing_targets(conn: sa.Connection, app: AppPlan, entity: Entity, roles: frozenset[str],
                    ctx: EvalContext, values: Mapping[str, Any]) -> list[FieldProblem]:
    """A problem for each ref in ``values`` whose target does not exist or is hidden."""
    problems: list[FieldProblem] = []
    for name, value in values.items():
        f = entity.fields.get(name)
        if f is None or f.type is not FieldType.REF or value is None:
            continue
        target = app.target_table(f)
        query = sa.select(target.c.id).where(target.c.id == value)
        if f.ref != USER_ENTITY:
            target_plan = app.entities[str(f.ref)]
            query = query.where(target_plan.permissions.predicate(roles, Operation.READ, ctx))
        if conn.execute(query).first() is None:
            label = "user" if f.ref == USER_ENTITY else app.entities[str(f.ref)].entity.label
            problems.append(FieldProblem(name, "not_found", f"there is no {label} #{value}"))
    return problems


@dataclass
class Fallout:
    """What deleting some records does to the records that refer to them."""

    nulled: list[tuple[EntityPlan, str, dict[str, Any]]] = field(default_factory=list)
    """(entity, ref field, row before) of each record whose ref is emptied."""
    deleted: list[tuple[EntityPlan, dict[str, Any]]] = field(default_factory=list)
    """(entity, row) of each record deleted with them, parents before children."""


def fallout(conn: sa.Connection, app: AppPlan, plan: EntityPlan, ids: Sequence[int]) -> Fallout:
    """Follow every ref to the records being deleted; raises :class:`Conflict` on ``restrict``."""
    result = Fallout()
    gone: set[tuple[str, int]] = {(plan.name, i) for i in ids}
    queue: list[tuple[EntityPlan, list[int]]] = [(plan, list(ids))]
    while queue:
        parent, parent_ids = queue.pop(0)
        for ref in app.referrers[parent.name]:
            child = app.entities[ref.entity]
            rows = _referring(conn, child, ref, parent_ids, gone)
            if not rows:
                continue
            if ref.field.on_delete is OnDelete.RESTRICT:
                raise _still_referenced(parent, child, ref, len(rows))
            if ref.field.on_delete is OnDelete.SET_NULL:
                result.nulled.extend((child, ref.field.name, row) for row in rows)
                continue
            gone.update((child.name, row["id"]) for row in rows)
            result.deleted.extend((child, row) for row in rows)
            queue.append((child, [row["id"] for row in rows]))
    result.nulled = [n for n in result.nulled if (n[0].name, n[2]["id"]) not in gone]
    return result


def _referring(conn: sa.Connection, child: EntityPlan, ref: Reference, ids: Sequence[int],
               gone: set[tuple[str, int]]) -> list[dict[str, Any]]:
    column = child.table.c[ref.field.name]
    query = sa.select(child.table).where(column.in_(ids)).with_for_update()
    return [dict(row) for row in conn.execute(query).mappings()
            if (child.name, row["id"]) not in gone]


def _still_referenced(parent: EntityPlan, child: EntityPlan, ref: Reference,
                      count: int) -> Conflict:
    what = child.entity.label if count == 1 else child.entity.plural
    return Conflict(f"This {parent.entity.label} cannot be deleted: {count} {what} still "
                    f"refer to it (field `{ref.field.name}`). Delete or change "
                    f"{'it' if count == 1 else 'them'} first.")
