"""Compile the views: check that every field they name exists and suits its use.

Views are rendered by the web UI; the definition checks them now so that a broken view is a
definition error with a line number, not a broken page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from apiary.definition.compiled import (
    SYSTEM_FIELDS,
    CompiledExpr,
    Entity,
    FieldType,
    View,
    Widget,
)
from apiary.definition.diagnostics import Path, did_you_mean
from apiary.definition.expressions import compile_expression
from apiary.definition.fields import NUMERIC, STRINGLIKE, TEMPORAL, record_scope
from apiary.definition.format import DashboardView, WidgetSpec
from apiary.definition.names import VIEW_NAME, article, humanize
from apiary.definition.report import Report
from apiary.expr import Scope, Type

GROUPABLE = frozenset({FieldType.ENUM, FieldType.REF, FieldType.BOOLEAN}) | TEMPORAL
SYSTEM_FIELD_TYPES: Mapping[str, FieldType] = {
    "id": FieldType.INTEGER, "row_version": FieldType.INTEGER,
    "created_at": FieldType.DATETIME, "updated_at": FieldType.DATETIME,
    "created_by": FieldType.REF, "updated_by": FieldType.REF,
}
"""How views may use the system columns: by date, or by the user who created a record."""


def field_type(entity: Entity, name: str) -> FieldType | None:
    field = entity.fields.get(name)
    return field.type if field is not None else SYSTEM_FIELD_TYPES.get(name)


def scope_of(entity: Entity) -> Scope:
    return record_scope(entity.fields)


class ViewCompiler:
    def __init__(self, entities: Mapping[str, Entity], roles: frozenset[str],
                 report: Report) -> None:
        self.entities = entities
        self.roles = roles
        self.report = report

    def compile(self, name: str, spec: Any) -> View | None:
        path: Path = ("views", name)
        if not VIEW_NAME.match(name):
            self.report.error("APY-E130", f"`{name}` is not a valid view name", path,
                              "use lowercase letters, digits, - and _, e.g. `open-tickets`")
        for i, role in enumerate(spec.roles or ()):
            if role not in self.roles and role != "admin":
                self.report.error("APY-E204", f"role `{role}` is not declared",
                                  (*path, "roles", i), did_you_mean(role, self.roles))
        roles = frozenset(spec.roles) if spec.roles is not None else None
        if isinstance(spec, DashboardView):
            widgets = tuple(w for i, ws in enumerate(spec.widgets)
                            if (w := self._widget(ws, (*path, "widgets", i))) is not None)
            return View(name=name, type="dashboard", title=spec.title or humanize(name),
                        widgets=widgets, roles=roles)
        entity = self._entity(spec.entity, (*path, "entity"))
        if entity is None:
            return None
        title = spec.title or (entity.plural if spec.type in ("list", "board") else entity.label)
        view = View(name=name, type=spec.type, title=title, entity=entity.name, roles=roles)
        if spec.type in ("detail", "form"):
            return replace(view, fields=self._fields(entity, spec.fields, (*path, "fields"),
                                                   allow_lists=spec.type == "detail"))
        columns = self._fields(entity, spec.columns, (*path, "columns"))
        sort = self._sort(entity, spec.sort, (*path, "sort"))
        flt = self._filter(entity, spec.filter, (*path, "filter"))
        group_by = spec.group_by
        if spec.type == "board":
            if group_by is None:
                if entity.workflow is None:
                    self.report.error("APY-E210", "a board needs `group_by` (an enum, ref, "
                                      "boolean or date field) when its entity has no workflow",
                                      path)
                    return None
                group_by = entity.workflow.field
            self._groupable(entity, group_by, (*path, "group_by"))
            return replace(view, columns=columns, sort=sort, filter=flt, group_by=group_by)
        if group_by is not None:
            self._groupable(entity, group_by, (*path, "group_by"))
        search = self._fields(entity, spec.search, (*path, "search"))
        for i, fname in enumerate(search):
            if field_type(entity, fname) not in STRINGLIKE:
                self.report.error("APY-E211", f"`{fname}` is not text and cannot be searched",
                                  (*path, "search", i),
                                  "search string, text, email, url, phone or enum fields")
        filters = self._fields(entity, spec.filters, (*path, "filters"))
        return replace(view, columns=columns, sort=sort, filter=flt, group_by=group_by,
                     search=search, filters=filters)

    def _entity(self, name: str, path: Path) -> Entity | None:
        if name not in self.entities:
            self.report.error("APY-E201", f"`{name}` is not an entity of this app", path,
                              did_you_mean(name, self.entities))
            return None
        return self.entities[name]

    def _fields(self, entity: Entity, names: list[str], path: Path,
                allow_lists: bool = False) -> tuple[str, ...]:
        out = []
        for i, fname in enumerate(names):
            field = entity.fields.get(fname)
            if field is None and fname not in SYSTEM_FIELDS:
                self.report.error("APY-E205", f"`{fname}` is not a field of {entity.name}",
                                  (*path, i), did_you_mean(fname, entity.fields))
                continue
            if field is not None and not field.stored and not allow_lists:
                self.report.error("APY-E212", f"`{fname}` is a list of related records and "
                                  "cannot be shown here", (*path, i),
                                  "show related lists in a detail view")
                continue
            out.append(fname)
        return tuple(out)

    def _sort(self, entity: Entity, keys: list[str], path: Path) -> tuple[str, ...]:
        out = []
        for i, key in enumerate(keys):
            fname = key.removeprefix("-")
            field = entity.fields.get(fname)
            if (field is None or not field.stored) and fname not in SYSTEM_FIELDS:
                self.report.error("APY-E205", f"`{fname}` is not a field of {entity.name}",
                                  (*path, i), did_you_mean(fname, entity.fields))
                continue
            out.append(key)
        return tuple(out)

    def _filter(self, entity: Entity, text: str | None, path: Path) -> CompiledExpr | None:
        if text is None:
            return None
        return compile_expression(self.report, text, path, scope_of(entity), want=Type.BOOL,
                                  what="filter", need_sql=True)

    def _groupable(self, entity: Entity, fname: str, path: Path) -> bool:
        ftype = field_type(entity, fname)
        if ftype is None:
            self.report.error("APY-E205", f"`{fname}` is not a field of {entity.name}", path,
                              did_you_mean(fname, entity.fields))
            return False
        if ftype not in GROUPABLE:
            self.report.error("APY-E213", f"cannot group by `{fname}`, {article(ftype.value)} "
                              "field", path, "group by an enum, ref, boolean or date field")
            return False
        return True

    def _widget(self, spec: WidgetSpec, path: Path) -> Widget | None:
        entity = self._entity(spec.entity, (*path, "entity"))
        if entity is None:
            return None
        if spec.kind != "count":
            field = entity.fields.get(spec.field or "")
            if spec.field is None:
                self.report.error("APY-E111", f"a {spec.kind} widget needs `field:`, the number "
                                  "to aggregate", path)
                return None
            if field is None or field.type not in NUMERIC:
                self.report.error("APY-E214", f"`{spec.field}` is not a number field of "
                                  f"{entity.name}", (*path, "field"),
                                  did_you_mean(spec.field, [f.name for f in entity.fields.values()
                                                            if f.type in NUMERIC]))
                return None
        if spec.group_by is not None and not self._groupable(entity, spec.group_by,
                                                             (*path, "group_by")):
            return None
        if spec.period is not None and field_type(entity, spec.group_by or "") not in TEMPORAL:
            self.report.error("APY-E215", "`period` needs `group_by` to name a date or "
                              "date-time field", (*path, "period"))
        flt = self._filter(entity, spec.filter, (*path, "filter"))
        title = spec.title or (f"{entity.plural}" if spec.kind == "count"
                               else f"{spec.kind.capitalize()} of {humanize(spec.field or '')}")
        return Widget(title=title, kind=spec.kind, entity=entity.name, field=spec.field,
                      group_by=spec.group_by, period=spec.period, chart=spec.chart, filter=flt)

