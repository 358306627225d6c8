"""CSV export of a list: the columns a reader may see, their values as the API gives them.

Values are the API's: enum values rather than labels, ISO dates and date-times, reference ids,
decimals as exact text, money as two columns (amount and currency), JSON as JSON text. A cell
that a spreadsheet would run as a formula (text starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) gets a leading apostrophe, so that opening an export never executes what
someone typed into a record. Numbers the engine formatted itself are left as they are.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from apiary.definition.compiled import Entity, FieldType
from apiary.web import present

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
NUMERIC: Final = frozenset({FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY,
                            FieldType.REF})
Record = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    value: Callable[[Record], Any]
    guarded: bool
    """Whether the cell is protected against formula injection (all but engine numbers)."""


def columns(entity: Entity, readable: Collection[str]) -> list[Column]:
    """``id``, the readable stored fields in definition order, then created and updated."""
    out = [Column("ID", _get("id"), False)]
    for field in entity.stored_fields:
        if field.name not in readable:
            continue
        label = field.label
        if field.type is FieldType.MONEY:
            out.append(Column(label, _amount(field.name), False))
            out.append(Column(f"{label} currency", _currency(field.name, field.currency), True))
        else:
            out.append(Column(label, _get(field.name), field.type not in NUMERIC))
    out.extend(Column(present.label(entity, name), _get(name), True)
               for name in ("created_at", "updated_at"))
    return out


def header(cols: Sequence[Column]) -> str:
    return _lines([[c.label for c in cols]], [True] * len(cols))


def rows(cols: Sequence[Column], records: Iterable[Record]) -> str:
    return _lines(([c.value(r) for c in cols] for r in records), [c.guarded for c in cols])


def cell(value: Any, guarded: bool = True) -> str:
    """One value as CSV text: empty for null, ``true``/``false``, JSON for structured data."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        text = str(value)
    if guarded and text.startswith(FORMULA_START):
        return "'" + text
    return text


def filename(entity: Entity) -> str:
    """``customer-accounts.csv``: the entity's plural, in letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", entity.plural.lower()).strip("-")
    return f"{slug or entity.name.lower()}.csv"


def _lines(values: Iterable[Sequence[Any]], guarded: Sequence[bool]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in values:
        writer.writerow([cell(v, g) for v, g in zip(row, guarded, strict=True)])
    return buffer.getvalue()


def _get(name: str) -> Callable[[Record], Any]:
    return lambda record: record.get(name)


def _amount(name: str) -> Callable[[Record], Any]:
    def amount(record: Record) -> Any:
        value = record.get(name)
        return value.get("amount") if isinstance(value, Mapping) else value
    return amount


def _currency(name: str, fixed: str | None) -> Callable[[Record], Any]:
    def currency(record: Record) -> Any:
        value = record.get(name)
        if isinstance(value, Mapping):
            return value.get("currency")
        return fixed if value is not None else None
    return currency
