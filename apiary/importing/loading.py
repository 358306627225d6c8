"""Loading a source's rows through the engine, accounting for every one of them.

Rows are written with the same record service as the API, so every validation, unique
constraint and audit entry applies; a row the engine refuses is reported with its line and the
reason, never dropped silently. References are resolved through the keys of the rows already
loaded; a reference to a row loaded later (or to the same table) is set in a second pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from apiary.engine import EngineError, Principal, RecordService
from apiary.importing import values
from apiary.importing.builder import ImportedEntity, ImportedField, ImportPlan

BATCH: Final = 500
"""Rows written per transaction."""
LOADER: Final = Principal(user_id=None, email=None, roles=frozenset({"admin"}),
                          request_id="import")


@dataclass(frozen=True, slots=True)
class Rejected:
    table: str
    row: int
    """The row's line in the sheet (1-based), or its position in a database table."""
    reason: str


@dataclass
class LoadReport:
    loaded: dict[str, int] = field(default_factory=dict)
    """Rows loaded, by source table."""
    total: dict[str, int] = field(default_factory=dict)
    """Data rows read, by source table."""
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        lines = [f"{name}: {self.loaded.get(name, 0)} of {count} row(s) loaded"
                 for name, count in self.total.items()]
        if self.rejected:
            lines.append(f"{len(self.rejected)} row(s) not loaded:")
            lines += [f"  {r.table}, row {r.row}: {r.reason}" for r in self.rejected]
        return "\n".join(lines)


class _Deferred:
    """References to set once their target rows exist: (entity, id, field, key, row)."""

    def __init__(self) -> None:
        self.items: list[tuple[ImportedEntity, int, ImportedField, str, int]] = []


def load(plan: ImportPlan, service: RecordService) -> LoadReport:
    """Create a record for every row of every table of ``plan``; report the rest."""
    report = LoadReport()
    keys: dict[str, dict[str, int]] = {e.name: {} for e in plan.entities}
    deferred = _Deferred()
    for entity in _ordered(plan.entities):
        _load_table(entity, service, keys, deferred, report)
    for entity, record_id, f, key, row in deferred.items:
        target = keys[f.ref or ""].get(key)
        if target is None:
            report.rejected.append(Rejected(entity.table.name, row, _no_target(f, key)))
            continue
        try:
            service.update(LOADER, entity.name, record_id, {f.name: target})
        except EngineError as exc:
            report.rejected.append(Rejected(entity.table.name, row, _reason(entity, exc)))
    return report


def _load_table(entity: ImportedEntity, service: RecordService, keys: dict[str, dict[str, int]],
                deferred: _Deferred, report: LoadReport) -> None:
    name = entity.table.name
    report.total[name] = 0
    report.loaded[name] = 0
    batch: list[_Row] = []
    for row_number, cells in entity.table.rows():
        report.total[name] += 1
        row = _row(entity, row_number, cells, keys)
        if row.problems:
            report.rejected.append(Rejected(name, row_number, "; ".join(row.problems)))
            continue
        batch.append(row)
        if len(batch) == BATCH:
            _flush(entity, service, batch, keys, deferred, report)
            batch = []
    _flush(entity, service, batch, keys, deferred, report)


@dataclass
class _Row:
    number: int
    cells: Sequence[Any]
    data: dict[str, Any] = field(default_factory=dict)
    later: list[tuple[ImportedField, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _row(entity: ImportedEntity, number: int, cells: Sequence[Any],
         keys: dict[str, dict[str, int]]) -> _Row:
    """One source row as the engine's input, with its references resolved where possible."""
    row = _Row(number, cells)
    for f in entity.fields:
        cell = cells[f.column] if f.column < len(cells) else None
        if values.text(cell) == "":
            continue
        if f.ref is not None:
            key = values.text(cell)
            target = keys[f.ref].get(key)
            if target is not None:
                row.data[f.name] = target
            elif f.ref == entity.name or not keys.get(f.ref):
                row.later.append((f, key))
            else:
                row.problems.append(_no_target(f, key))
            continue
        try:
            row.data[f.name] = _value(f, cell)
        except values.Unreadable:
            row.problems.append(f"{f.spec.header}: cannot read {values.text(cell)[:60]!r} as "
                                f"{_kind(f)}")
    return row


def _flush(entity: ImportedEntity, service: RecordService, batch: list[_Row],
           keys: dict[str, dict[str, int]], deferred: _Deferred, report: LoadReport) -> None:
    if not batch:
        return
    name = entity.table.name
    results = service.create_many(LOADER, entity.name, [row.data for row in batch])
    for row, result in zip(batch, results, strict=True):
        if isinstance(result, EngineError):
            report.rejected.append(Rejected(name, row.number, _reason(entity, result)))
            continue
        report.loaded[name] += 1
        record_id = int(result["id"])
        if entity.key is not None:
            keys[entity.name][values.text(row.cells[entity.key.column])] = record_id
        for f, key in row.later:
            deferred.items.append((entity, record_id, f, key, row.number))


def _value(f: ImportedField, cell: Any) -> Any:
    """A cell as the engine's input for the field (JSON-like, exact numbers as strings)."""
    value = f.spec.read(cell)
    kind = f.spec.type
    if kind == "money":
        money = value if isinstance(value, values.Money) else values.Money(value, None)
        if f.spec.currency is None:
            if money.currency is None:
                raise values.Unreadable(cell)
            return {"amount": str(money.amount), "currency": money.currency}
        if money.currency not in (None, f.spec.currency):
            raise values.Unreadable(cell)
        return str(money.amount)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return (dt.datetime.combine(value, dt.time(0)).isoformat() if kind == "datetime"
                else value.isoformat())
    if isinstance(value, Decimal):
        return str(value)
    if kind in ("string", "text", "enum"):
        return values.text(cell)
    return value


def _ordered(entities: list[ImportedEntity]) -> list[ImportedEntity]:
    """Referenced tables first, so most references resolve in the first pass."""
    done: list[ImportedEntity] = []
    by_name = {e.name: e for e in entities}

    def visit(entity: ImportedEntity, path: set[str]) -> None:
        if entity in done or entity.name in path:
            return
        for f in entity.fields:
            if f.ref is not None and f.ref in by_name:
                visit(by_name[f.ref], path | {entity.name})
        done.append(entity)

    for entity in entities:
        visit(entity, set())
    return done


def _no_target(f: ImportedField, key: str) -> str:
    return f"{f.spec.header}: no {f.ref} with key {key[:60]!r}"


def _kind(f: ImportedField) -> str:
    money = ("an amount (with its currency, as the column mixes currencies)"
             if f.spec.currency is None else f"an amount in {f.spec.currency}")
    return {"money": money, "integer": "a whole number", "decimal": "a number",
            "date": "a date", "datetime": "a date and time", "boolean": "yes or no",
            "email": "an e-mail address", "url": "a web address",
            "phone": "a phone number"}.get(f.spec.type, f.spec.type)


def _reason(entity: ImportedEntity, exc: EngineError) -> str:
    headers = {f.name: f.spec.header for f in entity.fields}
    if exc.errors:
        return "; ".join(f"{headers.get(p.field, p.field)}: {p.message}" for p in exc.errors)
    return exc.detail or exc.title
