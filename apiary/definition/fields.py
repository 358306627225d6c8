"""Compile one field: check that its options fit its type, and fill in the defaults."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from apiary.definition.compiled import (
    DEFAULT_MAX_FILE_SIZE,
    FILE_TYPES,
    MAX_FILE_SIZE,
    SYSTEM_FIELDS,
    Classification,
    Field,
    FieldType,
    OnDelete,
)
from apiary.definition.format import FieldSpec
from apiary.definition.names import CURRENCY, article, humanize
from apiary.definition.report import Report
from apiary.expr import Scope, Type

STRINGLIKE = frozenset({FieldType.STRING, FieldType.TEXT, FieldType.EMAIL, FieldType.URL,
                        FieldType.PHONE, FieldType.ENUM})
NUMERIC = frozenset({FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY})
TEMPORAL = frozenset({FieldType.DATE, FieldType.DATETIME})

# option -> the field types it applies to
_APPLIES: Mapping[str, frozenset[FieldType]] = {
    "values": frozenset({FieldType.ENUM}),
    "to": frozenset({FieldType.REF, FieldType.HAS_MANY}),
    "via": frozenset({FieldType.HAS_MANY}),
    "on_delete": frozenset({FieldType.REF}),
    "currency": frozenset({FieldType.MONEY}),
    "scale": frozenset({FieldType.DECIMAL, FieldType.MONEY}),
    "max_length": STRINGLIKE - {FieldType.ENUM},
    "min_length": STRINGLIKE - {FieldType.ENUM},
    "pattern": STRINGLIKE - {FieldType.ENUM},
    "min": NUMERIC | TEMPORAL,
    "max": NUMERIC | TEMPORAL,
    "max_size": frozenset({FieldType.FILE}),
    "accept": frozenset({FieldType.FILE}),
}
_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([kmg]i?b|b)?", re.IGNORECASE)
_UNITS: Mapping[str, int] = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2,
                             "gb": 1000**3, "gib": 1024**3}
_NO_STORAGE_OPTIONS = ("required", "unique", "default", "indexed", "computed", "renamed_from")


def expr_type(field: Field) -> Type:
    """The type an expression sees when it reads this field."""
    t = field.type
    if t is FieldType.ENUM:
        return Type.enum(field.values)
    if t in STRINGLIKE:
        return Type.STRING
    if t is FieldType.INTEGER or t is FieldType.REF:
        return Type.INT
    if t in (FieldType.DECIMAL, FieldType.MONEY):
        return Type.DECIMAL
    if t is FieldType.BOOLEAN:
        return Type.BOOL
    if t is FieldType.DATE:
        return Type.DATE
    if t is FieldType.DATETIME:
        return Type.DATETIME
    return Type.JSON


def record_scope(fields: Mapping[str, Field]) -> Scope:
    """What an expression about one record may name: its stored fields and the system fields."""
    return Scope(fields={**SYSTEM_FIELDS, **{f.name: expr_type(f) for f in fields.values()
                                             if f.stored}})


def compile_field(name: str, spec: FieldSpec, path: tuple[str, ...], report: Report,
                  app_currency: str | None) -> Field:
    ftype = FieldType(spec.type)
    for option, types in _APPLIES.items():
        if getattr(spec, option) is not None and ftype not in types:
            allowed = ", ".join(sorted(t.value for t in types))
            report.error("APY-E120", f"`{option}` does not apply to {article(ftype.value)} field",
                         (*path, option), f"`{option}` is for: {allowed}")
    if ftype is FieldType.HAS_MANY:
        for option in _NO_STORAGE_OPTIONS:
            if getattr(spec, option) not in (None, False):
                report.error("APY-E120", f"`{option}` does not apply to a has_many field",
                             (*path, option), "has_many lists the records that point here; "
                             "set options on the ref field of the other entity")
    classification = _classification(spec, path, report)
    values: tuple[str, ...] = ()
    if ftype is FieldType.ENUM:
        values = _enum_values(spec, path, report)
    if ftype in (FieldType.REF, FieldType.HAS_MANY) and not spec.to:
        report.error("APY-E111", f"{article(ftype.value)} field needs `to:` naming the entity it "
                     "points to", path, "for example `to: Customer` or `to: User`")
    on_delete = OnDelete(spec.on_delete) if spec.on_delete else OnDelete.RESTRICT
    if on_delete is OnDelete.SET_NULL and spec.required:
        report.error("APY-E121", "`on_delete: set_null` cannot apply to a required field",
                     (*path, "on_delete"), "use `restrict` or `cascade`, or drop `required`")
    currency = spec.currency or (app_currency if ftype is FieldType.MONEY else None)
    if spec.currency is not None and not CURRENCY.match(spec.currency):
        report.error("APY-E122", f"`{spec.currency}` is not an ISO 4217 currency code",
                     (*path, "currency"), "three capital letters, e.g. EUR, USD, GBP")
    if spec.pattern is not None:
        try:
            re.compile(spec.pattern)
        except re.error as exc:
            report.error("APY-E123", f"the pattern is not a valid regular expression: {exc}",
                         (*path, "pattern"))
    if spec.computed is not None and (spec.default is not None or spec.required):
        report.error("APY-E124", "a computed field cannot also have a default or be required",
                     path, "remove `default`/`required`; the expression always sets the value")
    if spec.min_length is not None and spec.max_length is not None and \
            spec.min_length > spec.max_length:
        report.error("APY-E125", "`min_length` is larger than `max_length`", (*path, "min_length"))
    max_size = _max_size(spec.max_size, (*path, "max_size"), report) \
        if ftype is FieldType.FILE else None
    accept = _accept(spec.accept, (*path, "accept"), report) if ftype is FieldType.FILE else ()
    field = Field(
        name=name, type=ftype, label=spec.label or humanize(name), description=spec.description,
        required=spec.required, unique=spec.unique, indexed=spec.indexed,
        max_length=spec.max_length, min_length=spec.min_length, pattern=spec.pattern,
        help=spec.help, classification=classification,
        renamed_from=spec.renamed_from, values=values, ref=spec.to, via=spec.via,
        on_delete=on_delete, currency=currency,
        scale=spec.scale if spec.scale is not None else 2, max_size=max_size, accept=accept,
        read_roles=frozenset(spec.access.read) if spec.access and spec.access.read is not None
        else None,
        write_roles=frozenset(spec.access.write) if spec.access and spec.access.write is not None
        else None,
    )
    bounds = {k: _literal(field, getattr(spec, k), (*path, k), report)
              if ftype in _APPLIES[k] else None for k in ("min", "max")}
    default = _literal(field, spec.default, (*path, "default"), report, allow_now=True)
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        report.error("APY-E125", "`min` is larger than `max`", (*path, "min"))
    return replace(field, min=bounds["min"], max=bounds["max"], default=default)


def _max_size(value: int | str | None, path: tuple[str, ...], report: Report) -> int:
    """``max_size`` in bytes: a whole number of bytes or a number with a unit (``10 MB``)."""
    if value is None:
        return DEFAULT_MAX_FILE_SIZE
    size: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif isinstance(value, str) and (found := _SIZE.fullmatch(value.strip())):
        size = int(Decimal(found.group(1)) * _UNITS[(found.group(2) or "b").lower()])
    if size is None or size <= 0:
        report.error("APY-E129", f"`{value}` is not a file size", path,
                     "write a number of bytes or a size with a unit: `500 KB`, `10 MB`, `2 MiB`")
        return DEFAULT_MAX_FILE_SIZE
    if size > MAX_FILE_SIZE:
        report.error("APY-E129", f"`{value}` is larger than the largest upload Apiary accepts "
                     f"({MAX_FILE_SIZE // 1024**2} MiB)", path,
                     "keep large files elsewhere and store a link in a `url` field")
        return MAX_FILE_SIZE
    return size


def _accept(values: list[str] | None, path: tuple[str, ...], report: Report) -> tuple[str, ...]:
    """The MIME types an ``accept`` list names (``image/*`` and ``.pdf`` resolved)."""
    if values is None:
        return tuple(FILE_TYPES)
    chosen: list[str] = []
    for i, raw in enumerate(values):
        item = raw.strip().lower()
        if item.endswith("/*"):
            found = [t for t in FILE_TYPES if t.startswith(item[:-1])]
        elif item.startswith("."):
            found = [t for t, exts in FILE_TYPES.items() if item in exts]
        else:
            found = [item] if item in FILE_TYPES else []
        if not found:
            known = ", ".join(sorted({e for exts in FILE_TYPES.values() for e in exts}))
            report.error("APY-E129", f"`{raw}` is not a file type Apiary can check", (*path, i),
                         f"use MIME types or extensions Apiary recognises by content: {known}")
        chosen.extend(t for t in found if t not in chosen)
    if not values:
        report.error("APY-E129", "`accept` lists no file types", path,
                     "name at least one type, or leave `accept` out for the default list")
    return tuple(chosen)


def _classification(spec: FieldSpec, path: tuple[str, ...], report: Report) -> Classification:
    if spec.classification is None:
        return Classification.PII if spec.pii else Classification.INTERNAL
    chosen = Classification(spec.classification)
    if spec.pii and chosen is not Classification.PII:
        report.error("APY-E126", f"`pii: true` contradicts `classification: {chosen.value}`",
                     (*path, "pii"), "keep one of them")
    return chosen


def _enum_values(spec: FieldSpec, path: tuple[str, ...], report: Report) -> tuple[str, ...]:
    values = spec.values or []
    if not values:
        report.error("APY-E127", "an enum needs `values:`, the list of allowed values", path,
                     "for example `values: [low, normal, high]`")
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            report.error("APY-E106", f"`{value}` is listed twice", (*path, "values", i))
        if not value.strip():
            report.error("APY-E127", "enum values cannot be empty", (*path, "values", i))
        seen.add(value)
    return tuple(values)


def _literal(field: Field, value: Any, path: tuple[str, ...], report: Report,
             allow_now: bool = False) -> Any:
    """Convert a literal from the document to the field's Python value, or report why not."""
    if value is None:
        return None
    t = field.type
    bad = f"`{value}` is not a valid {t.value}"
    try:
        if t is FieldType.DATE:
            if allow_now and value == "today":
                return "today"
            return dt.date.fromisoformat(str(value))
        if t is FieldType.DATETIME:
            if allow_now and value == "now":
                return "now"
            return dt.datetime.fromisoformat(str(value))
        if t is FieldType.INTEGER and isinstance(value, int) and not isinstance(value, bool):
            return value
        if t in (FieldType.DECIMAL, FieldType.MONEY) and isinstance(value, int | float | str) \
                and not isinstance(value, bool):
            return Decimal(str(value))
        if t is FieldType.BOOLEAN and isinstance(value, bool):
            return value
        if t is FieldType.ENUM and isinstance(value, str):
            if value not in field.values:
                report.error("APY-E128", f"`{value}` is not one of the values of this enum", path,
                             "expected one of: " + ", ".join(f"`{v}`" for v in field.values))
                return None
            return value
        if t in STRINGLIKE and isinstance(value, str):
            if field.max_length is not None and len(value) > field.max_length:
                report.error("APY-E128", f"the default is longer than max_length "
                             f"({field.max_length})", path)
            return value
    except (ValueError, InvalidOperation):
        pass
    hint = {FieldType.DATE: "write dates as YYYY-MM-DD" + (" or `today`" if allow_now else ""),
            FieldType.DATETIME: "write date-times as YYYY-MM-DDTHH:MM:SS"
            + (" or `now`" if allow_now else "")}.get(t)
    if t in (FieldType.REF, FieldType.HAS_MANY, FieldType.FILE, FieldType.JSON):
        bad, hint = f"{article(t.value)} field cannot have a literal here", None
    report.error("APY-E128", bad, path, hint)
    return None
