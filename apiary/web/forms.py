"""Form inputs for fields: which widget each field type gets, and form data back to values.

Which inputs a form shows follows the engine's field permissions (``may_write_field``); what a
submitted value means and whether it is acceptable is left to the engine, which answers with
field problems shown next to their inputs. A text the browser sends is passed on as-is when it
cannot be read as the field's type, so the engine's message, not ours, explains the mistake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from apiary.definition.compiled import Entity, Field, FieldType
from apiary.engine.permissions import may_read_field, may_write_field

INPUT_TYPES: Final[Mapping[FieldType, str]] = {
    FieldType.STRING: "text", FieldType.EMAIL: "email", FieldType.URL: "url",
    FieldType.PHONE: "tel", FieldType.INTEGER: "number", FieldType.DECIMAL: "number",
    FieldType.MONEY: "number", FieldType.REF: "number", FieldType.DATE: "date",
    FieldType.DATETIME: "datetime-local",
}
"""Types shown as ``<input type=...>``; text, boolean and enum have their own widgets."""
NOT_IN_FORMS: Final = frozenset({FieldType.FILE, FieldType.JSON, FieldType.HAS_MANY})


@dataclass(frozen=True, slots=True)
class Input:
    """One labelled form control, ready for the ``form.html`` template."""

    field: Field
    widget: str
    """text, email, url, tel, number, date, datetime-local, textarea, checkbox or select."""
    value: Any
    step: str | None = None
    errors: tuple[str, ...] = ()


def form_fields(entity: Entity, roles: frozenset[str],
                names: Sequence[str] = ()) -> list[Field]:
    """The fields ``roles`` may set in a form, in ``names`` order when given."""
    chosen = [entity.fields[n] for n in names if n in entity.fields] if names \
        else list(entity.fields.values())
    return [f for f in chosen if _editable(f) and may_write_field(f, roles)
            and may_read_field(f, roles)]


def inputs(fields: Sequence[Field], values: Mapping[str, Any],
           errors: Mapping[str, Sequence[str]]) -> list[Input]:
    return [Input(f, widget(f), display_value(f, values.get(f.name)), _step(f),
                  tuple(errors.get(f.name, ()))) for f in fields]


def widget(field: Field) -> str:
    if field.type is FieldType.TEXT:
        return "textarea"
    if field.type is FieldType.BOOLEAN:
        return "checkbox"
    if field.type is FieldType.ENUM:
        return "select"
    return INPUT_TYPES[field.type]


def display_value(field: Field, value: Any) -> Any:
    """A record's value (as the engine returns it) written the way the input expects it."""
    if isinstance(value, Mapping) and "amount" in value:
        value = value["amount"]
    if field.type is FieldType.DATETIME and isinstance(value, str):
        return value[:16]
    return "" if value is None else value


def parse(fields: Sequence[Field], form: Mapping[str, str], *, partial: bool) -> dict[str, Any]:
    """The data to send to the engine for the submitted ``form``.

    A blank input means "no value"; when creating (``partial`` False) it is left out so that
    the field's default applies. An input that was not sent is left unchanged, except a
    checkbox, which browsers send only when it is ticked.
    """
    data: dict[str, Any] = {}
    for field in fields:
        if field.type is FieldType.BOOLEAN:
            data[field.name] = field.name in form
            continue
        if field.name not in form:
            continue
        raw = form[field.name] if field.type is FieldType.TEXT else form[field.name].strip()
        if raw.strip() == "":
            if partial:
                data[field.name] = None
            continue
        data[field.name] = _typed(field, raw)
    return data


def _typed(field: Field, raw: str) -> Any:
    if field.type in (FieldType.INTEGER, FieldType.REF):
        try:
            return int(raw)
        except ValueError:
            return raw
    if field.type is FieldType.DATETIME and len(raw) == 16:
        return f"{raw}:00Z"  # the browser sends minutes without a zone; times are UTC
    if field.type is FieldType.DATETIME and len(raw) == 19:
        return f"{raw}Z"
    return raw


def _editable(field: Field) -> bool:
    return (field.stored and not field.readonly and field.type not in NOT_IN_FORMS
            and not (field.type is FieldType.MONEY and field.currency is None))


def _step(field: Field) -> str | None:
    if field.type in (FieldType.DECIMAL, FieldType.MONEY):
        return "1" if field.scale == 0 else "0." + "0" * (field.scale - 1) + "1"
    if field.type in (FieldType.INTEGER, FieldType.REF):
        return "1"
    return None
