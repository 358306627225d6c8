"""List filters: which fields a list offers as filters, and the query string read into one
expression for the engine.

A filter value comes from the address bar, so it is untrusted text. Every value is checked
against its field (an enum value must be one of the field's values, a date must parse, a
number must be a number) and written into the expression as a literal of the field's type;
string literals are escaped. A value that fails is reported to the user and left out, so a
hand-edited address never turns into an error page. The engine still checks the expression
against the fields the user may read.

Query parameters: ``<field>`` for a choice, yes/no, reference or text filter,
``<field>.from`` / ``<field>.to`` for a date range, ``<field>.min`` / ``<field>.max`` for a
number range.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Final

from apiary.definition.compiled import SYSTEM_FIELDS, USER_ENTITY, Entity, FieldType, View
from apiary.definition.names import humanize
from apiary.web import present

DEFAULT_FILTERS: Final = 4
"""How many fields a list without ``filters:`` offers (its choice, yes/no and ref fields)."""
NUMBERS: Final = frozenset({FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY})
TEXTS: Final = frozenset({FieldType.STRING, FieldType.TEXT, FieldType.EMAIL, FieldType.URL,
                          FieldType.PHONE})
DEFAULT_KINDS: Final = frozenset({"choice", "boolean", "ref"})
_INTEGER: Final = re.compile(r"-?[0-9]{1,19}")
_DECIMAL: Final = re.compile(r"-?[0-9]{1,28}(\.[0-9]{1,18})?")
INT64: Final = 2**63 - 1
NONE: Final = "none"
ME: Final = "me"
MAX_TEXT: Final = 200


@dataclass(frozen=True, slots=True)
class Filter:
    """One field offered as a filter, and how it is shown."""

    name: str
    label: str
    kind: str
    """choice, boolean, ref, date, datetime, number or text."""
    type: FieldType
    values: tuple[tuple[str, str], ...] = ()
    """For a choice: (value sent, label shown), in the field's order."""
    target: str | None = None
    """For a ref: the referenced entity (``User`` for people)."""
    required: bool = False

    @property
    def params(self) -> tuple[str, ...]:
        """The query parameters this filter reads."""
        if self.kind in ("date", "datetime"):
            return (f"{self.name}.from", f"{self.name}.to")
        if self.kind == "number":
            return (f"{self.name}.min", f"{self.name}.max")
        return (self.name,)


@dataclass(slots=True)
class Applied:
    """The filters read from a query string."""

    conditions: list[str] = field(default_factory=list)
    """One expression per filter that holds a valid value."""
    values: dict[str, str] = field(default_factory=dict)
    """Parameter -> the accepted value as sent, kept in the form and in the page's links."""
    problems: list[str] = field(default_factory=list)
    """What was wrong with a value, for the page; such a value is ignored."""


def offered(entity: Entity, view: View | None, readable: frozenset[str]) -> list[Filter]:
    """The filters of the view (only the fields the user may read), or a few default ones."""
    if view is not None and view.filters:
        found = [_filter(entity, name) for name in view.filters if name in readable]
        return [f for f in found if f is not None]
    state = [f.name for f in entity.fields.values() if f.is_state]
    names = [*state, *(f.name for f in entity.fields.values() if not f.is_state)]
    defaults = [f for n in names if n in readable and (f := _filter(entity, n)) is not None
                and f.kind in DEFAULT_KINDS]
    return defaults[:DEFAULT_FILTERS]


def _filter(entity: Entity, name: str) -> Filter | None:
    label = present.label(entity, name)
    if name in SYSTEM_FIELDS:
        if name in ("created_by", "updated_by"):
            return Filter(name, label, "ref", FieldType.REF, target=USER_ENTITY)
        if name in ("created_at", "updated_at"):
            return Filter(name, label, "datetime", FieldType.DATETIME)
        return Filter(name, label, "number", FieldType.INTEGER)
    f = entity.fields[name]
    if f.type is FieldType.ENUM:
        labels = {s.name: s.label for s in entity.workflow.states} \
            if f.is_state and entity.workflow is not None else {}
        return Filter(name, label, "choice", f.type, tuple(
            (v, labels.get(v) or humanize(v)) for v in f.values), required=f.required)
    if f.type is FieldType.BOOLEAN:
        return Filter(name, label, "boolean", f.type)
    if f.type is FieldType.REF:
        return Filter(name, label, "ref", f.type, target=f.ref, required=f.required)
    if f.type is FieldType.DATE:
        return Filter(name, label, "date", f.type)
    if f.type is FieldType.DATETIME:
        return Filter(name, label, "datetime", f.type)
    if f.type in NUMBERS:
        return Filter(name, label, "number", f.type)
    if f.type in TEXTS:
        return Filter(name, label, "text", f.type)
    return None


def apply(filters: Sequence[Filter], params: Mapping[str, str]) -> Applied:
    """The conditions of the filters that ``params`` set, and the problems of bad values."""
    out = Applied()
    for f in filters:
        for param in f.params:
            text = params.get(param, "").strip()
            if not text:
                continue
            try:
                out.conditions.append(_condition(f, param, text))
            except ValueError as exc:
                out.problems.append(f"{f.label}: {exc} This filter was left out.")
            else:
                out.values[param] = text
    return out


def _condition(f: Filter, param: str, text: str) -> str:
    if f.kind == "choice":
        if text not in {v for v, _ in f.values}:
            raise ValueError(f"“{_short(text)}” is not one of its values.")
        return f"{f.name} == {string_literal(text)}"
    if f.kind == "boolean":
        if text not in ("yes", "no"):
            raise ValueError("choose yes or no.")
        return f"{f.name} == true" if text == "yes" else f"{f.name} != true"
    if f.kind == "ref":
        if text == NONE:
            return f"{f.name} == null"
        if text == ME and f.target == USER_ENTITY:
            return f"{f.name} == user.id"
        if not _INTEGER.fullmatch(text) or not 0 < int(text) <= INT64:
            raise ValueError(f"“{_short(text)}” is not a record of the list.")
        return f"{f.name} == {int(text)}"
    if f.kind in ("date", "datetime"):
        return _date_condition(f, param.endswith(".to"), text)
    if f.kind == "number":
        return f"{f.name} {'<=' if param.endswith('.max') else '>='} {_number(f, text)}"
    cleaned = "".join(ch for ch in text.lower() if ch.isprintable())[:MAX_TEXT]
    return f"lower({f.name}).contains({string_literal(cleaned)})"


def _date_condition(f: Filter, upper: bool, text: str) -> str:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{_short(text)}” is not a date; write it as YYYY-MM-DD.") from None
    if f.kind == "date":
        return f"{f.name} {'<=' if upper else '>='} date('{day.isoformat()}')"
    if upper:
        if day == dt.date.max:
            return f"{f.name} != null"
        day += dt.timedelta(days=1)
        return f"{f.name} < datetime('{day.isoformat()}T00:00:00Z')"
    return f"{f.name} >= datetime('{day.isoformat()}T00:00:00Z')"


def _number(f: Filter, text: str) -> str:
    if f.type is FieldType.INTEGER:
        if not _INTEGER.fullmatch(text) or abs(int(text)) > INT64:
            raise ValueError(f"“{_short(text)}” is not a whole number.")
        return str(int(text))
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"“{_short(text)}” is not a number; write it like 1234.50.")
    try:
        return format(Decimal(text), "f")
    except InvalidOperation:
        raise ValueError(f"“{_short(text)}” is not a number.") from None


def string_literal(text: str) -> str:
    """``text`` as an expression string literal (quotes and backslashes escaped)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"
