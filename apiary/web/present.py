"""How records look on a page: titles, columns, displayed values and the search filter.

Pure functions over the compiled app and the records the engine returned; they never decide
who may see what. A record only holds the fields its reader may read, so a column or a field
the reader may not see is dropped here simply because the engine did not send it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from apiary.definition.compiled import (
    SYSTEM_FIELDS,
    CompiledApp,
    Entity,
    FieldType,
    Operation,
    View,
)

SEARCHABLE: Final = frozenset({FieldType.STRING, FieldType.TEXT, FieldType.EMAIL,
                               FieldType.URL, FieldType.PHONE})
DEFAULT_COLUMNS: Final = 5
SYSTEM_LABELS: Final = {"id": "ID", "created_at": "Created", "updated_at": "Updated",
                        "created_by": "Created by", "updated_by": "Updated by",
                        "row_version": "Version"}
LIST_ONLY_TYPES: Final = frozenset({FieldType.TEXT, FieldType.JSON, FieldType.FILE,
                                    FieldType.HAS_MANY})


def may_read(entity: Entity, roles: frozenset[str]) -> bool:
    """Whether any role allows reading some records (the engine then decides which)."""
    return any(entity.rule(role, Operation.READ).allow for role in roles)


def may(entity: Entity, roles: frozenset[str], operation: Operation) -> bool:
    """Whether to offer an operation at all; the engine still checks each record."""
    return any(entity.rule(role, operation).allow for role in roles)


def visible(view: View, roles: frozenset[str]) -> bool:
    return view.roles is None or bool(view.roles & roles) or "admin" in roles


def views(app: CompiledApp, roles: frozenset[str], kind: str) -> list[View]:
    """The views of type ``kind`` the roles see: shown to them, over entities they may read."""
    return [v for v in app.views.values() if v.type == kind and visible(v, roles)
            and (v.entity is None or may_read(app.entities[v.entity], roles))
            and (not v.widgets or any(may_read(app.entities[w.entity], roles)
                                      for w in v.widgets))]


def list_view(app: CompiledApp, entity: Entity, roles: frozenset[str]) -> View | None:
    """The first list view of ``entity`` the roles see in navigation."""
    return next((v for v in app.views.values() if v.type == "list" and v.entity == entity.name
                 and visible(v, roles)), None)


def form_view(app: CompiledApp, entity: Entity, roles: frozenset[str]) -> View | None:
    return next((v for v in app.views.values() if v.type == "form" and v.entity == entity.name
                 and visible(v, roles)), None)


def columns(entity: Entity, view: View | None) -> list[str]:
    """The view's columns, or the first few short fields of the entity."""
    if view is not None and view.columns:
        return list(view.columns)
    names = [f.name for f in entity.fields.values() if f.type not in LIST_ONLY_TYPES]
    return names[:DEFAULT_COLUMNS] or ["id"]


def label(entity: Entity, name: str) -> str:
    if name in entity.fields:
        return entity.fields[name].label
    return SYSTEM_LABELS.get(name, name)


def title(entity: Entity, record: Mapping[str, Any]) -> str:
    if entity.display is not None and record.get(entity.display) not in (None, ""):
        return str(record[entity.display])
    return f"{entity.label} #{record.get('id')}"


def shown(entity: Entity, name: str, value: Any) -> str:
    """A value as text for a table cell or a detail page (the template escapes it)."""
    if value is None or value == "":
        return "—"
    field = entity.fields.get(name)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Mapping) and "amount" in value:
        return f"{value['amount']} {value.get('currency') or ''}".strip()
    if field is not None and field.is_state and entity.workflow is not None \
            and value in entity.workflow.state_names:
        return entity.workflow.state(value).label
    if field is not None and field.type is FieldType.REF:
        return f"#{value}"
    if name in ("created_at", "updated_at") or (field is not None
                                                and field.type is FieldType.DATETIME):
        return str(value).replace("T", " ").removesuffix("Z")[:16] + " UTC"
    if isinstance(value, list | dict):
        return f"{len(value)} item(s)"
    return str(value)


def detail_fields(app: CompiledApp, entity: Entity, record: Mapping[str, Any]) -> list[str]:
    """The fields of the entity's detail view (or all of them) that ``record`` holds."""
    view = next((v for v in app.views.values() if v.type == "detail"
                 and v.entity == entity.name), None)
    names: Sequence[str] = view.fields if view is not None and view.fields \
        else list(entity.fields)
    return [n for n in names if n in record and n not in SYSTEM_FIELDS
            and not (entity.workflow is not None and n == entity.workflow.field)]


def search_filter(entity: Entity, view: View | None, readable: frozenset[str],
                  text: str) -> str | None:
    """An expression matching records whose text fields contain ``text`` (any case)."""
    text = "".join(ch for ch in text.strip().lower() if ch.isprintable())
    if not text:
        return None
    names = list(view.search) if view is not None and view.search else [
        f.name for f in entity.fields.values() if f.type in SEARCHABLE]
    names = [n for n in names if n in readable]
    if not names:
        return None
    literal = "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return " || ".join(f"lower({n}).contains({literal})" for n in names)
