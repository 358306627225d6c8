"""Form inputs for fields: which widget each field type gets, and form data back to values.

Which inputs a form shows follows the engine's field permissions (``may_write_field``); what a
submitted value means and whether it is acceptable is left to the engine, which answers with
field problems shown next to their inputs. A text the browser sends is passed on as-is when it
cannot be read as the field's type, so the engine's message, not ours, explains the mistake.
Only what the engine cannot see is checked here: a typed reference that names no record (or
several), and a ``json`` text that does not parse.

Inputs beyond the field's own name: ``<ref>__text`` (a reference typed as a title or ``#12``;
the ``<ref>`` input then holds the id a picker chose), ``<money>__currency`` (the currency of
a money field whose currency is chosen per value) and ``<file>__remove`` (clear a file).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from apiary.definition.compiled import FILE_TYPES, Entity, Field, FieldType
from apiary.engine.permissions import may_read_field, may_write_field
from apiary.storage.files import describe_types, human_size
from apiary.web.lookup import RECORD_ID, Picker, Refs, Unresolved

INPUT_TYPES: Final[Mapping[FieldType, str]] = {
    FieldType.STRING: "text", FieldType.EMAIL: "email", FieldType.URL: "url",
    FieldType.PHONE: "tel", FieldType.INTEGER: "number", FieldType.DECIMAL: "number",
    FieldType.DATE: "date", FieldType.DATETIME: "datetime-local",
}
"""Types shown as ``<input type=...>``; the others have widgets of their own."""
NOT_IN_FORMS: Final = frozenset({FieldType.HAS_MANY})
CURRENCIES: Final = ("EUR", "USD", "GBP", "CHF", "JPY", "CNY", "CAD", "AUD", "NZD", "SEK",
                     "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN", "TRY", "INR", "BRL",
                     "MXN", "ZAR", "SGD", "HKD", "KRW", "ILS", "AED", "SAR")
"""Common ISO 4217 codes offered for money whose currency is chosen per value."""
TEXT: Final = "__text"
CURRENCY: Final = "__currency"
REMOVE: Final = "__remove"


@dataclass(frozen=True, slots=True)
class Input:
    """One labelled form control, ready for the ``form.html`` template."""

    field: Field
    widget: str
    """text, email, url, tel, number, date, datetime-local, textarea, checkbox, select, ref,
    money, file or json."""
    value: Any
    step: str | None = None
    errors: tuple[str, ...] = ()
    picker: Picker | None = None
    text: str = ""
    """ref: the text of a search input (a title or ``#12``)."""
    currency: str | None = None
    """money: the fixed currency, or the one chosen."""
    currencies: tuple[str, ...] = ()
    """money chosen per value: the codes offered (the chosen one and the app's first)."""
    accept: str = ""
    """file: the ``accept`` attribute (extensions)."""
    limit: str = ""
    """file: what may be uploaded, for the help text."""


def form_fields(entity: Entity, roles: frozenset[str],
                names: Sequence[str] = ()) -> list[Field]:
    """The fields ``roles`` may set in a form, in ``names`` order when given."""
    chosen = [entity.fields[n] for n in names if n in entity.fields] if names \
        else list(entity.fields.values())
    return [f for f in chosen if _editable(f) and may_write_field(f, roles)
            and may_read_field(f, roles)]


def has_files(fields: Sequence[Field]) -> bool:
    return any(f.type is FieldType.FILE for f in fields)


def inputs(fields: Sequence[Field], values: Mapping[str, Any],
           errors: Mapping[str, Sequence[str]], *, refs: Refs | None = None,
           submitted: bool = False, app_currency: str | None = None) -> list[Input]:
    """The inputs for ``values``: a record's (as the engine returns it) or, when
    ``submitted``, the form as posted, so that what the user typed is shown again.

    ``refs`` looks up reference pickers (it queries the database: call in a thread).
    """
    out = []
    for f in fields:
        raw = values.get(f.name)
        problems = tuple(errors.get(f.name, ()))
        if f.type is FieldType.REF:
            out.append(_ref_input(f, values, raw, problems, refs, submitted))
        elif f.type is FieldType.MONEY:
            currency = f.currency
            if currency is None:
                currency = values.get(f.name + CURRENCY) if submitted else (
                    raw.get("currency") if isinstance(raw, Mapping) else None)
            codes = () if f.currency is not None else tuple(dict.fromkeys(
                c for c in (currency, app_currency, *CURRENCIES) if c))
            out.append(Input(f, "money", display_value(f, raw), _step(f), problems,
                             currency=currency or app_currency, currencies=codes))
        elif f.type is FieldType.FILE:
            current = raw if isinstance(raw, Mapping) else None
            out.append(Input(f, "file", current, errors=problems,
                             accept=",".join(e for t in f.accept for e in _extensions(t)),
                             limit=f"Up to {human_size(f.max_size or 0)}: "
                                   f"{describe_types(f.accept)}."))
        elif f.type is FieldType.JSON:
            text = raw if submitted and isinstance(raw, str) else (
                "" if raw is None else json.dumps(raw, indent=2, ensure_ascii=False))
            out.append(Input(f, "json", text or "", errors=problems))
        else:
            out.append(Input(f, widget(f), display_value(f, raw), _step(f), problems))
    return out


def widget(field: Field) -> str:
    if field.type is FieldType.TEXT:
        return "textarea"
    if field.type is FieldType.BOOLEAN:
        return "checkbox"
    if field.type is FieldType.ENUM:
        return "select"
    if field.type in (FieldType.REF, FieldType.MONEY, FieldType.FILE, FieldType.JSON):
        return field.type.value
    return INPUT_TYPES[field.type]


def display_value(field: Field, value: Any) -> Any:
    """A record's value (as the engine returns it) written the way the input expects it."""
    if isinstance(value, Mapping) and "amount" in value:
        value = value["amount"]
    if field.type is FieldType.DATETIME and isinstance(value, str):
        return value[:16]
    return "" if value is None else value


def parse(fields: Sequence[Field], form: Mapping[str, str], *, partial: bool,
          refs: Refs | None = None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The data to send to the engine for the submitted ``form``, and the problems found
    before the engine could be asked (a reference that names no record, JSON that does not
    parse).

    A blank input means "no value"; when creating (``partial`` False) it is left out so that
    the field's default applies. An input that was not sent is left unchanged, except a
    checkbox, which browsers send only when it is ticked. File fields are left to the upload
    handling, except a ticked "remove".
    """
    data: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for field in fields:
        name = field.name
        if field.type is FieldType.BOOLEAN:
            data[name] = name in form
            continue
        if field.type is FieldType.FILE:
            if partial and form.get(name + REMOVE):
                data[name] = None
            continue
        typed = field.type is FieldType.REF and name + TEXT in form
        if name not in form and not typed:
            continue
        source = form[name + TEXT] if typed else form[name]
        raw = source if field.type in (FieldType.TEXT, FieldType.JSON) else source.strip()
        if raw.strip() == "":
            if partial:
                data[name] = None
            continue
        try:
            if typed:
                if refs is None:
                    raise Unresolved("Type the record's number, e.g. #12.")
                data[name] = refs.resolve(field, raw, form.get(name, "").strip())
            elif field.type is FieldType.JSON:
                data[name] = _json(field, raw)
            elif field.type is FieldType.MONEY and field.currency is None:
                data[name] = {"amount": raw, "currency": form.get(name + CURRENCY, "").strip()}
            else:
                data[name] = _typed(field, raw)
        except ValueError as exc:
            problems.setdefault(name, []).append(str(exc))
    return data, problems


def _json(field: Field, raw: str) -> Any:
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError(f"{field.label} is nested too deeply.") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{field.label} is not valid JSON: {exc.msg} (line {exc.lineno}, "
                         f"column {exc.colno}).") from None
    except ValueError as exc:
        raise ValueError(f"{field.label} is not valid JSON: {exc}.") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _ref_input(field: Field, values: Mapping[str, Any], raw: Any, problems: tuple[str, ...],
               refs: Refs | None, submitted: bool) -> Input:
    chosen: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        chosen = raw
    elif isinstance(raw, str) and RECORD_ID.fullmatch(raw.strip()):
        chosen = int(raw.strip())
    picker = refs.picker(field, chosen) if refs is not None else None
    if submitted and field.name + TEXT in values:
        text = str(values[field.name + TEXT])
    elif picker is not None and picker.current is not None:
        text = picker.current.title
    else:
        text = "" if chosen is None else f"#{chosen}"
    return Input(field, "ref", "" if chosen is None else chosen, None, problems,
                 picker=picker, text=text)


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
    return field.stored and not field.readonly and field.type not in NOT_IN_FORMS


def _step(field: Field) -> str | None:
    if field.type in (FieldType.DECIMAL, FieldType.MONEY):
        return "1" if field.scale == 0 else "0." + "0" * (field.scale - 1) + "1"
    if field.type in (FieldType.INTEGER, FieldType.REF):
        return "1"
    return None


def _extensions(mime: str) -> tuple[str, ...]:
    return FILE_TYPES.get(mime, ())
