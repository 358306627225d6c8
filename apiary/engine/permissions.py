"""Who may do what with an entity's records: operation rules, row-level rules, field access.

Deny by default. A principal may perform an operation when one of their roles has a rule that
allows it; ``admin`` may do everything. Row-level rules of all the principal's roles are OR-ed:

- for read, update and delete they become one SQL predicate that the record service adds to
  every statement (``SELECT``/``UPDATE``/``DELETE ... WHERE id = :id AND <rule>``), so rows the
  principal may not use are never fetched;
- for create (and to re-check an updated record, like PostgreSQL's ``WITH CHECK``) they are
  evaluated in Python on the candidate record.

Field access narrows what record rules allow: ``read_roles`` remove fields from the SELECT list
and from responses; ``write_roles`` decide which fields a request may set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from apiary.definition.compiled import ADMIN_ROLE, Entity, Field, Operation, Rule
from apiary.engine.predicates import PredicateCache
from apiary.expr import EvalContext

Predicate = sa.ColumnElement[bool]


def may_read_field(field: Field, roles: frozenset[str]) -> bool:
    return ADMIN_ROLE in roles or field.read_roles is None or bool(roles & field.read_roles)


def may_write_field(field: Field, roles: frozenset[str]) -> bool:
    return ADMIN_ROLE in roles or field.write_roles is None or bool(roles & field.write_roles)


class EntityPermissions:
    """The permission rules of one entity of one app version, ready to apply to principals.

    Built once per published app version; SQL predicates are cached per principal by
    :class:`PredicateCache`, so a list request does not re-compile its rules.
    """

    def __init__(self, entity: Entity, predicates: PredicateCache) -> None:
        self.entity = entity
        self._predicates = predicates
        self._granting: dict[tuple[frozenset[str], Operation], tuple[Rule, ...]] = {}

    def granting(self, roles: frozenset[str], op: Operation) -> tuple[Rule, ...]:
        """The rules of ``roles`` that allow ``op`` at least on some records."""
        key = (roles, op)
        found = self._granting.get(key)
        if found is None:
            if ADMIN_ROLE in roles:
                found = (Rule(allow=True),)
            else:
                found = tuple(rule for role in sorted(roles)
                              if (rule := self.entity.rule(role, op)).allow)
            self._granting[key] = found
        return found

    def allows(self, roles: frozenset[str], op: Operation) -> bool:
        """Whether ``op`` is allowed on any record at all."""
        return bool(self.granting(roles, op))

    def predicate(self, roles: frozenset[str], op: Operation, ctx: EvalContext) -> Predicate:
        """The rows on which ``op`` is allowed, as a definite SQL boolean."""
        rules = self.granting(roles, op)
        if not rules:
            return sa.false()
        if any(rule.condition is None for rule in rules):
            return sa.true()
        parts = [self._predicates.sql(rule.condition, ctx) for rule in rules
                 if rule.condition is not None]
        return parts[0] if len(parts) == 1 else sa.or_(*parts)

    def holds(self, roles: frozenset[str], op: Operation, record: Mapping[str, Any],
              ctx: EvalContext) -> bool:
        """Whether ``op`` is allowed on ``record`` (a candidate not yet in the database)."""
        return any(rule.condition is None or rule.condition.evaluate(record, ctx) is True
                   for rule in self.granting(roles, op))
