"""How records look on a page: titles, columns, displayed values and the search filter.

Pure functions over the compiled app and the records the engine returned; they never decide
who may see what. A record only holds the fields its reader may read, so a column or a field
the reader may not see is dropped here simply because the engine did not send it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from apiary.definition.compiled import (
    SYSTEM_FIELDS,
    USER_ENTITY,
    CompiledApp,
    Entity,
    Field,
    FieldType,
    Operation,
    View,
)
from apiary.engine import may_read_field

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


# -- a record's page: references, field groups, related lists, history -------------------------
SYSTEM_FACTS: Final = ("created_at", "created_by", "updated_at", "updated_by", "row_version")
USER_REFS: Final = frozenset({"created_by", "updated_by"})
WIDE_TYPES: Final = frozenset({FieldType.TEXT, FieldType.JSON})
RELATED_HIDDEN: Final = frozenset({FieldType.JSON, FieldType.FILE, FieldType.HAS_MANY})
BRIEF: Final = 120


@dataclass(frozen=True, slots=True)
class Shown:
    """A value as text, with the address of the record it names when it is a reference."""

    text: str
    href: str | None = None
    wide: bool = False
    """Long text: shown across the whole width of the page."""


def ref_fields(entity: Entity, readable: Sequence[str]) -> list[str]:
    """The names to ask the engine to ``expand``: readable refs and who created/changed it."""
    return [*(f.name for f in entity.fields.values()
              if f.type is FieldType.REF and f.name in readable), *sorted(USER_REFS)]


def reference(app: CompiledApp, target: str | None, value: Any) -> Shown:
    """An (expanded) reference: the target's title and link, or ``#id`` if it is not readable.

    The engine expands a record the reader may not read to just ``{"id": ...}``, and a user to
    ``{id, email, display_name}``; an id it did not expand stays a number.
    """
    if value is None:
        return Shown("—")
    if not isinstance(value, Mapping):
        return Shown(f"#{value}")
    ref_id = value.get("id")
    if target == USER_ENTITY:
        return Shown(str(value.get("display_name") or value.get("email") or f"#{ref_id}"))
    entity = app.entities.get(target or "")
    if entity is None or len(value) <= 1:
        return Shown(f"#{ref_id}")
    return Shown(title(entity, value), f"/{app.name}/{entity.name}/{ref_id}")


def value_of(app: CompiledApp, entity: Entity, name: str, value: Any,
             record_id: int | None = None) -> Shown:
    """A field of record ``record_id`` as shown on its page or in a related list."""
    field = entity.fields.get(name)
    if name in USER_REFS:
        return reference(app, USER_ENTITY, value)
    if field is not None and field.type is FieldType.REF:
        return reference(app, field.ref, value)
    if field is not None and field.type is FieldType.FILE and isinstance(value, Mapping):
        href = None if record_id is None else f"/{app.name}/{entity.name}/{record_id}/files/{name}"
        return Shown(str(value.get("name") or "file"), href)
    return Shown(shown(entity, name, value), wide=field is not None and field.type in WIDE_TYPES)


def brief(text: str, length: int = BRIEF) -> str:
    """Long text cut to ``length`` characters for a table cell or a history line."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def related_fields(app: CompiledApp, entity: Entity, roles: frozenset[str]) -> list[Field]:
    """The ``has_many`` fields of the entity's detail view (or all of them) ``roles`` may read.

    Only those whose target entity, and its back-reference, the roles may read: the related
    list is that entity's records filtered on the back-reference.
    """
    view = next((v for v in app.views.values() if v.type == "detail"
                 and v.entity == entity.name), None)
    chosen = [entity.fields[n] for n in view.fields if n in entity.fields] \
        if view is not None and view.fields else list(entity.fields.values())
    out = []
    for field in chosen:
        target = app.entities.get(field.ref or "")
        if field.type is not FieldType.HAS_MANY or target is None or field.via is None:
            continue
        if may_read_field(field, roles) and may_read(target, roles) \
                and may_read_field(target.fields[field.via], roles):
            out.append(field)
    return out


def related_columns(target: Entity, view: View | None, readable: Sequence[str], via: str,
                    limit: int = 4) -> list[str]:
    """A few columns for a related list: the list view's, or the first short fields.

    The back-reference (the same record on every row) and the title (the row's link) are left
    out; the workflow state is kept, last, when the view shows it.
    """
    names = list(view.columns) if view is not None and view.columns else [
        f.name for f in target.fields.values() if f.type not in RELATED_HIDDEN]
    names = [n for n in names if n in readable and n not in (via, target.display)]
    state = target.workflow.field if target.workflow is not None else None
    if state is not None and state in names:
        others = [n for n in names if n != state]
        return [*others[:limit - 1], state]
    return names[:limit]


@dataclass(frozen=True, slots=True)
class Change:
    label: str
    before: str | None
    """None with ``after`` None: the value is confidential, only the fact of a change is kept."""
    after: str | None


def changes(entity: Entity, entry: Mapping[str, Any]) -> list[Change]:
    """What one history entry changed, by field label; a transition's state change is its own.

    The engine already left out the fields the reader may not read and masked PII values.
    """
    out = []
    skip = entity.workflow.field if entity.workflow is not None \
        and entry.get("action") == "transition" else None
    for name, change in entry.get("changes", {}).items():
        if name == skip or not isinstance(change, Mapping):
            continue
        if "before" not in change:
            out.append(Change(label(entity, name), None, None))
            continue
        before, after = (brief(_logged(entity, name, change[k]), 80) for k in ("before", "after"))
        out.append(Change(label(entity, name), before, after))
    return out


def _logged(entity: Entity, name: str, value: Any) -> str:
    """A value as the audit trail keeps it: a file by its name, anything else as ``shown``."""
    field = entity.fields.get(name)
    if field is not None and field.type is FieldType.FILE and isinstance(value, Mapping):
        return str(value.get("name") or "file")
    return shown(entity, name, value)


def state_label(entity: Entity, name: str | None) -> str:
    if entity.workflow is None or name not in entity.workflow.state_names:
        return str(name or "—")
    return entity.workflow.state(name).label
