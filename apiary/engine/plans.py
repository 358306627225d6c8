"""What the engine prepares once per published app version, so requests only look things up.

An :class:`AppPlan` holds the app's tables and, per entity, an :class:`EntityPlan`: the table
and columns, the permission rules with their SQL cache, what each combination of roles sees,
and which unique index guards which field. Publishing a new app version builds a new plan;
requests that already hold the old one finish with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, TypeVar

import sqlalchemy as sa

from apiary.definition.compiled import USER_ENTITY, CompiledApp, Entity, Field, FieldType
from apiary.definition.views import scope_of
from apiary.engine.audit import AuditLog
from apiary.engine.permissions import EntityPermissions
from apiary.engine.predicates import PredicateCache, clock_of
from apiary.engine.shapes import Shape, build_shape
from apiary.expr import EvalContext
from apiary.storage import AppTables, naming
from apiary.storage.system import AUDIT, AUDIT_HEAD

T = TypeVar("T")
MAX_PREPARED: Final = 4096


@dataclass(frozen=True, slots=True)
class Reference:
    """A ``ref`` field of ``entity`` that points at another entity (for deletes)."""

    entity: str
    field: Field


class EntityPlan:
    """One entity of one app version, prepared for the record service."""

    def __init__(self, app: CompiledApp, entity: Entity, tables: AppTables,
                 dialect: str) -> None:
        self.app = app
        self.entity = entity
        self.table = tables.table(entity)
        self.columns: Mapping[str, sa.Column[Any]] = tables.columns(entity)
        self.scope = scope_of(entity)
        self.dialect = dialect
        self.predicates = PredicateCache(self.scope, self.columns, dialect)
        self.permissions = EntityPermissions(entity, self.predicates)
        self.unique_fields: Mapping[str, str] = MappingProxyType({
            naming.index(entity.table, [f.name], unique=True): f.name
            for f in entity.stored_fields if f.unique})
        self._shapes: dict[frozenset[str], Shape] = {}
        self.clock = _entity_clock(entity)
        self._prepared: dict[tuple[Any, ...], Any] = {}
        workflow = entity.workflow
        self.in_sources: Mapping[str, sa.ColumnElement[bool]] = MappingProxyType({
            t.name: sa.or_(*(self.columns[workflow.field] == s for s in t.sources))
            for t in workflow.transitions.values()} if workflow is not None else {})
        """Per transition: the record is in one of its source states (plain comparisons: an
        ``IN`` list would be expanded again on every execution)."""

    def prepared(self, purpose: Any, roles: frozenset[str], ctx: EvalContext,
                 build: Callable[[], T]) -> T:
        """``build()``, kept for later requests of the same principal in the same conditions.

        Statements carrying a principal's rules are worth keeping (building one costs more
        than running it). The key is what the rules can depend on: the user, their roles and,
        when a rule reads ``today``, the date; an entity whose rules read ``now`` is not cached.
        """
        if self.clock == "now":
            return build()
        day = ctx.today if self.clock == "today" else None
        key = (purpose, roles, ctx.user_id, ctx.user_email, day)
        found = self._prepared.get(key)
        if found is None:
            if len(self._prepared) >= MAX_PREPARED:
                self._prepared.clear()
            found = self._prepared[key] = build()
        return found

    @property
    def name(self) -> str:
        return self.entity.name

    def shape(self, roles: frozenset[str]) -> Shape:
        found = self._shapes.get(roles)
        if found is None:
            found = self._shapes[roles] = build_shape(self.entity, self.table, roles)
        return found


class AppPlan:
    """Every entity plan of one app version, and the system tables the engine writes."""

    def __init__(self, app: CompiledApp, dialect: str) -> None:
        self.app = app
        self.tables = AppTables(app)
        self.dialect = dialect
        self.entities: Mapping[str, EntityPlan] = MappingProxyType({
            name: EntityPlan(app, entity, self.tables, dialect)
            for name, entity in app.entities.items()})
        self.users = self.tables.users
        self.audit = AuditLog(self.tables.metadata.tables[AUDIT],
                              self.tables.metadata.tables[AUDIT_HEAD], dialect)
        referrers: dict[str, list[Reference]] = {name: [] for name in app.entities}
        for entity in app.entities.values():
            for field in entity.stored_fields:
                if field.type is FieldType.REF and field.ref in referrers:
                    referrers[field.ref].append(Reference(entity.name, field))
        self.referrers: Mapping[str, tuple[Reference, ...]] = MappingProxyType(
            {name: tuple(refs) for name, refs in referrers.items()})

    def target_table(self, field: Field) -> sa.Table:
        """The table a ``ref`` field points into."""
        if field.ref == USER_ENTITY:
            return self.users
        return self.entities[str(field.ref)].table


def _entity_clock(entity: Entity) -> str | None:
    """``now``, ``today`` or None: the finest time any rule or guard of the entity reads."""
    exprs = [rule.condition for rules in entity.permissions.values()
             for rule in rules.values() if rule.condition is not None]
    if entity.workflow is not None:
        exprs.extend(t.guard for t in entity.workflow.transitions.values() if t.guard is not None)
    clocks = {clock_of(e) for e in exprs}
    return "now" if "now" in clocks else "today" if "today" in clocks else None
