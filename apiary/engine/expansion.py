"""``expand``: replacing ref ids in records by the records they point at, one level deep.

One query per expanded field for a whole page (``WHERE id IN (...)``), never one per record.
The referenced records are read with the principal's own read rule and shape; a referenced
record they may not read becomes ``{"id": ...}``, which reveals nothing the id did not.
``User`` refs (and ``created_by``/``updated_by``) become ``{id, email, display_name}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from apiary.definition.compiled import USER_ENTITY, FieldType, Operation
from apiary.engine.errors import BadRequest
from apiary.engine.plans import AppPlan, EntityPlan
from apiary.engine.reading import where
from apiary.engine.shapes import Shape
from apiary.expr import EvalContext

USER_REFS = ("created_by", "updated_by")


def targets(plan: EntityPlan, shape: Shape, names: Sequence[str]) -> list[tuple[str, str]]:
    """(field, target entity) for each name; a 400 for anything that is not a readable ref."""
    out: list[tuple[str, str]] = []
    for name in dict.fromkeys(names):
        field = plan.entity.fields.get(name)
        if name in USER_REFS:
            out.append((name, USER_ENTITY))
        elif field is not None and field.type is FieldType.REF and name in shape.names:
            out.append((name, str(field.ref)))
        else:
            raise BadRequest("expand", f"`{name}` is not a reference you can expand.")
    return out


def expand(conn: sa.Connection, app: AppPlan, roles: frozenset[str], ctx: EvalContext,
           items: Sequence[dict[str, Any]], fields: Sequence[tuple[str, str]]) -> None:
    """Replace, in place, the ids of ``fields`` in ``items`` by the records they point at."""
    for name, target in fields:
        ids = sorted({item[name] for item in items if item.get(name) is not None})
        if not ids:
            continue
        found = _users(conn, app, ids) if target == USER_ENTITY else _records(
            conn, app.entities[target], roles, ctx, ids)
        for item in items:
            value = item.get(name)
            if value is not None:
                item[name] = found.get(value, {"id": value})


def _users(conn: sa.Connection, app: AppPlan, ids: list[int]) -> dict[int, dict[str, Any]]:
    users = app.users
    query = sa.select(users.c.id, users.c.email, users.c.display_name).where(users.c.id.in_(ids))
    return {row.id: {"id": row.id, "email": row.email, "display_name": row.display_name}
            for row in conn.execute(query)}


def _records(conn: sa.Connection, plan: EntityPlan, roles: frozenset[str], ctx: EvalContext,
             ids: list[int]) -> dict[int, dict[str, Any]]:
    shape = plan.shape(roles)
    query = where(sa.select(*shape.columns).where(plan.table.c.id.in_(ids)),
                  plan.permissions.predicate(roles, Operation.READ, ctx))
    return {row[0]: shape.serialize(row) for row in conn.execute(query)}
