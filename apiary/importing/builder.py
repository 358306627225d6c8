"""From typed source tables to a definition: names, keys, references, roles and views.

The result is an ordinary definition document that the validator must accept, secure by
default: two roles (``editor`` changes records, ``viewer`` reads them), delete left to admins,
columns that look like personal data marked ``pii`` and readable by editors only. References
between sheets are found from the values (every value of a column is a key of another sheet);
a database's references come from its foreign keys instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Final

from apiary import nouns
from apiary.definition.names import (
    ENGINE_ENTITIES,
    MAX_APP_NAME,
    MAX_NAME,
    RESERVED_FIELDS,
    humanize,
    snake_case,
)
from apiary.importing import values
from apiary.importing.inference import Column
from apiary.importing.tables import SourceTable

KEY_WORDS: Final = ("id", "code", "key", "number", "no", "ref", "sku", "email", "name", "title")
MAX_LIST_COLUMNS: Final = 6


@dataclass
class ImportedField:
    column: int
    """Index of the column in the source table."""
    name: str
    spec: Column
    ref: str | None = None
    """The entity this column refers to, by that entity's key."""


@dataclass
class ImportedEntity:
    name: str
    table: SourceTable
    fields: list[ImportedField]
    key: ImportedField | None = None
    """The column other tables refer to this one by."""


@dataclass
class ImportPlan:
    """A definition and how each of its fields is read from the source."""

    document: dict[str, Any]
    entities: list[ImportedEntity]
    notes: list[str] = field(default_factory=list)

    @property
    def app_name(self) -> str:
        return str(self.document["app"]["name"])


def app_name(source: str) -> str:
    """``Q3 Expenses (final).xlsx`` -> ``q3-expenses-final``."""
    words = re.findall(r"[a-z0-9]+", _ascii(source).lower())
    name = "-".join(words)[:MAX_APP_NAME].strip("-") or "imported"
    return name if name[0].isalpha() else "app-" + name[: MAX_APP_NAME - 4].strip("-")


def entity_name(source: str, taken: set[str]) -> str:
    words = [w for w in re.split(r"[^A-Za-z0-9]+", _ascii(source)) if w]
    if words:
        last = words[-1].lower()
        words[-1] = nouns.singular(last) or last
    name = "".join(w[:1].upper() + w[1:] for w in words)[:MAX_NAME] or "Record"
    if not name[0].isalpha():
        name = "Sheet" + name
    if name in ENGINE_ENTITIES:
        name += "Record"
    return _unique(name[:MAX_NAME], taken)


def field_name(header: str, taken: set[str]) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", _ascii(header).lower()).strip("_") or "column"
    if not name[0].isalpha():
        name = "col_" + name
    if name in RESERVED_FIELDS:
        name = "source_" + name
    return _unique(name[:MAX_NAME].rstrip("_"), taken)


def build(app_name: str, title: str, tables: list[SourceTable],
          columns: dict[str, list[Column]],
          declared_refs: dict[tuple[str, int], tuple[str, int]] | None = None) -> ImportPlan:
    """The definition for ``tables`` whose columns were typed as ``columns`` (by table name).

    ``declared_refs`` maps (table, column) to (table, key column) when the source declares its
    references (a database's foreign keys); otherwise they are found from the values.
    """
    taken: set[str] = set()
    entities = []
    for table in tables:
        names: set[str] = set()
        fields = [ImportedField(i, field_name(c.header, names), c)
                  for i, c in enumerate(columns[table.name])]
        entities.append(ImportedEntity(entity_name(table.name, taken), table, fields))
    by_table = {e.table.name: e for e in entities}
    notes: list[str] = []
    if declared_refs is None:
        for entity in entities:
            entity.key = _key(entity)
        _find_refs(entities, notes)
    else:
        for (table_name, column), (target, key) in declared_refs.items():
            dest = by_table[target]
            dest.key = dest.fields[key]
            source = by_table[table_name]
            f = source.fields[column]
            f.ref = dest.name
            bare = f.name.removesuffix("_id")
            if bare != f.name and bare not in {g.name for g in source.fields}:
                f.name = bare
    document = {
        "apiary": 1,
        "app": {"name": app_name, "title": title,
                "description": f"Imported from {', '.join(t.name for t in tables)}."},
        "roles": {"editor": "Adds and corrects records.", "viewer": "Reads records."},
        "entities": {e.name: _entity(e, entities) for e in entities},
        "views": {v: spec for e in entities for v, spec in _views(e).items()},
    }
    return ImportPlan(document, entities, notes)


def _entity(entity: ImportedEntity, everyone: list[ImportedEntity]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for f in entity.fields:
        fields[f.name] = _field(f)
    taken = set(fields)
    for other in everyone:
        for f in other.fields:
            if f.ref == entity.name:
                name = field_name(snake_case(_plural(other.name)) if other is not entity
                                  else f"{f.name}_of", taken)
                fields[name] = {"type": "has_many", "to": other.name, "via": f.name}
    spec: dict[str, Any] = {"fields": fields, "permissions": {
        "editor": ["read", "create", "update"], "viewer": "read"}}
    display = _display(entity)
    if display is not None:
        spec["display"] = display
    return spec


def _field(f: ImportedField) -> dict[str, Any]:
    c = f.spec
    label = _label(c.header, f.ref is not None)
    out: dict[str, Any] = {"label": label} if humanize(f.name) != label else {}
    if f.ref is not None:
        out["type"] = "ref"
        out["to"] = f.ref
    else:
        out["type"] = c.type
    if c.type == "enum" and f.ref is None:
        out["values"] = list(c.choices)
    if c.type == "money" and c.currency and f.ref is None:
        out["currency"] = c.currency
    if c.type == "decimal" and c.scale is not None and f.ref is None:
        out["scale"] = min(c.scale, 10)
    if c.required:
        out["required"] = True
    if c.unique and f.ref is None:
        out["unique"] = True
    if c.pii:
        out["pii"] = True
        out["access"] = {"read": ["editor"]}
    return out


def _label(header: str, ref: bool) -> str:
    """A header as people wrote it, or a database column name made readable."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", header):
        return header
    if header == "id":
        return "ID"
    return humanize(header.removesuffix("_id") if ref else header)


def _key(entity: ImportedEntity) -> ImportedField | None:
    candidates = [f for f in entity.fields if f.spec.unique and f.spec.required]

    def rank(f: ImportedField) -> tuple[int, int]:
        words = re.split(r"[^a-z0-9]+", f.spec.header.lower())
        hit = next((i for i, w in enumerate(KEY_WORDS) if w in words), len(KEY_WORDS))
        return hit, f.column

    return min(candidates, key=rank, default=None)


def _find_refs(entities: list[ImportedEntity], notes: list[str]) -> None:
    for entity in entities:
        for f in entity.fields:
            if f is entity.key or f.spec.type not in ("string", "integer", "email", "enum"):
                continue
            texts = _texts(entity, f)
            if not texts:
                continue
            matches = []
            for target in entities:
                key = target.key
                if key is None or target is entity:
                    continue
                unmatched = sum(1 for t in texts if t not in key.spec.distinct)
                hinted = _mentions(f.spec.header, target, key)
                if (unmatched == 0 and (hinted or (key.spec.type != "integer"
                                                  and len(set(texts)) >= 2))) \
                        or (hinted and unmatched <= max(1, len(texts) // 20) < len(texts) // 2):
                    matches.append((not hinted, unmatched, target.name, target))
            if matches:
                _, unmatched, _, target = min(matches, key=lambda m: m[:3])
                f.ref = target.name
                assert target.key is not None
                notes.append(f"`{entity.table.name}`.`{f.spec.header}` refers to "
                             f"`{target.table.name}` by `{target.key.spec.header}`"
                             + (f" ({unmatched} row(s) name no such key and will not load)."
                                if unmatched else ": every value is one of its keys."))


def _texts(entity: ImportedEntity, f: ImportedField) -> list[str]:
    """The column's non-empty values, one per row."""
    return [t for row in entity.table.sample
            if (t := values.text(row[f.column]) if f.column < len(row) else "")]


def _mentions(header: str, target: ImportedEntity, key: ImportedField) -> bool:
    words = set(re.split(r"[^a-z0-9]+", header.lower()))
    name_words = {w.lower() for w in re.findall(r"[A-Z][a-z0-9]*", target.name)}
    table_words = set(re.split(r"[^a-z0-9]+", target.table.name.lower()))
    return bool(words & (name_words | table_words)) or header.lower() == key.spec.header.lower()


def _display(entity: ImportedEntity) -> str | None:
    strings = [f for f in entity.fields if f.ref is None and f.spec.type == "string"]
    preferred = [f for f in strings
                 if re.search(r"name|title|subject|company", f.spec.header, re.IGNORECASE)]
    chosen = (preferred or [f for f in strings if f.spec.required])[:1]
    return chosen[0].name if chosen and not chosen[0].spec.pii else None


def _views(entity: ImportedEntity) -> dict[str, dict[str, Any]]:
    shown = [f for f in entity.fields if f.spec.type != "text"][:MAX_LIST_COLUMNS]
    view: dict[str, Any] = {"type": "list", "entity": entity.name,
                            "title": humanize(_plural(entity.name)),
                            "columns": [f.name for f in shown] or [entity.fields[0].name]}
    search = [f.name for f in entity.fields if f.ref is None and not f.spec.pii
              and f.spec.type in ("string", "text")][:4]
    if search:
        view["search"] = search
    filters = [f.name for f in entity.fields if f.ref is not None
               or f.spec.type in ("enum", "boolean")][:4]
    if filters:
        view["filters"] = filters
    sort = _display(entity) or (entity.key.name if entity.key is not None else None)
    if sort is not None:
        view["sort"] = [sort]
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", _plural(entity.name)).lower()
    return {name: view}


def _plural(name: str) -> str:
    parts = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", name) or [name]
    last = parts[-1]
    plural = nouns.plural(last.lower())
    parts[-1] = (plural or last + "s").capitalize() if last[:1].isupper() else (plural or last)
    return "".join(parts)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        suffix = f"_{n}" if name[:1].islower() else str(n)
        candidate, n = name[: MAX_NAME - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate
