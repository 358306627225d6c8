"""Building the record a create, update or transition would store, and everything wrong with it.

The order is fixed and matters: the request's fields are checked (unknown, read-only, not
writable) and coerced; defaults and the system fields are set (so ``created_at`` exists before
anything is computed from it); computed fields are evaluated in dependency order; then
``required`` and the entity's validation rules run on the whole record. Problems are collected,
never raised one by one, so a client learns about every field at fault at once. A validation
rule that reads a field already at fault is skipped: its message would only repeat the problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from apiary.definition.compiled import SYSTEM_FIELDS, Entity, Field, FieldType
from apiary.engine.checks import value_problems
from apiary.engine.coercion import ValueProblem, coerce, naive_utc
from apiary.engine.errors import FieldProblem, Forbidden
from apiary.engine.permissions import may_write_field
from apiary.expr import EvalContext
from apiary.storage.types import PRECISION

RECORD_PROBLEM = "_record"
"""The ``field`` of a problem with the whole record (a validation that names no field)."""


def take_input(entity: Entity, roles: frozenset[str],
               data: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldProblem]]:
    """The columns to set from ``data``, and the problems found.

    Raises :class:`Forbidden` naming every field the roles may not write: authorisation is
    decided before the data is judged.
    """
    values: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    forbidden: list[str] = []
    for key, raw in data.items():
        field = entity.fields.get(key)
        if field is None:
            problems.append(_not_a_field(entity, key))
        elif not field.stored:
            problems.append(FieldProblem(key, "read_only", "lists the records that refer to this "
                                         "one; set the reference on those records instead"))
        elif field.is_state:
            problems.append(FieldProblem(key, "read_only", "changes only through the workflow; "
                                         "use a transition"))
        elif field.computed is not None:
            problems.append(FieldProblem(key, "read_only", "is computed from other fields and "
                                         "cannot be set"))
        elif not may_write_field(field, roles):
            forbidden.append(key)
        else:
            try:
                columns = coerce(field, raw)
            except ValueProblem as exc:
                problems.append(FieldProblem(key, exc.code, exc.message))
                continue
            values.update(columns)
            if columns[key] is not None:
                problems.extend(FieldProblem(key, code, message)
                                for code, message in value_problems(field, columns[key]))
    if forbidden:
        names = ", ".join(f"`{name}`" for name in forbidden)
        pronoun = "it" if len(forbidden) == 1 else "them"
        raise Forbidden(f"Your role may not set {names}; leave {pronoun} out.",
                        [FieldProblem(name, "forbidden", "your role may not set this field")
                         for name in forbidden])
    return values, problems


def _not_a_field(entity: Entity, key: str) -> FieldProblem:
    if key in SYSTEM_FIELDS:
        return FieldProblem(key, "read_only", "is a system field set by the engine")
    return FieldProblem(key, "unknown_field", f"is not a field of {entity.label}")


def defaults(entity: Entity, ctx: EvalContext) -> dict[str, Any]:
    """The value of each stored, non-computed field of a new record before the request's data."""
    out: dict[str, Any] = {}
    for field in entity.stored_fields:
        if field.computed is not None:
            continue
        value = field.default
        if value == "today" and field.type is FieldType.DATE:
            value = ctx.today
        elif value == "now" and field.type is FieldType.DATETIME:
            value = ctx.now_utc
        elif isinstance(value, dt.datetime):
            value = naive_utc(value)
        out[field.name] = value
    return out


def finish(entity: Entity, record: dict[str, Any], ctx: EvalContext,
           problems: list[FieldProblem]) -> None:
    """Compute the computed fields into ``record``, then check required fields and rules."""
    for field in entity.computed_order:
        assert field.computed is not None
        try:
            record[field.name] = _stored(field, field.computed.evaluate(record, ctx))
        except (ArithmeticError, ValueError, TypeError):
            record[field.name] = None
            problems.append(FieldProblem(field.name, "computed",
                                         "could not be computed from the values given"))
    at_fault = {p.field for p in problems}
    for field in entity.stored_fields:
        if (field.required and field.computed is None and field.name not in at_fault
                and record.get(field.name) is None):
            problems.append(FieldProblem(field.name, "required", "is required"))
    at_fault = {p.field for p in problems}
    for validation in entity.validations:
        if (validation.rule.names | set(validation.fields)) & at_fault:
            continue
        try:
            holds = validation.rule.evaluate(record, ctx) is True
        except (ArithmeticError, ValueError, TypeError):
            holds = False
        if not holds:
            for name in validation.fields or (RECORD_PROBLEM,):
                problems.append(FieldProblem(name, "validation", validation.message))


def _stored(field: Field, value: Any) -> Any:
    """A computed value in the form its column stores."""
    if value is None:
        return None
    if field.type in (FieldType.DECIMAL, FieldType.MONEY):
        number = Decimal(value).quantize(Decimal(1).scaleb(-field.scale), ROUND_HALF_UP)
        if len(number.as_tuple().digits) > PRECISION:
            raise ArithmeticError("too large")
        return number
    if field.type is FieldType.DATETIME and isinstance(value, dt.datetime):
        return naive_utc(value)
    return value
