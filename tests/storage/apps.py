"""Small apps written as definitions, and what the storage tests do with them."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from apiary.definition import CompiledApp, compile_text
from apiary.storage import AppTables, MigrationResult, apply, plan


def compile_app(text: str) -> CompiledApp:
    return compile_text(textwrap.dedent(text))


def migrate(engine: sa.Engine, text: str, *, allow_destructive: bool = False) -> MigrationResult:
    """Plan and apply the definition ``text``; returns the result."""
    app = compile_app(text)
    return apply(plan(app, engine), engine, allow_destructive=allow_destructive)


def insert(engine: sa.Engine, text: str, entity: str,
           rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert ``rows`` into ``entity``'s table with the system columns filled; returns ids."""
    table = AppTables(compile_app(text)).table(entity)
    now = dt.datetime(2026, 1, 2, 3, 4, 5)
    ids = []
    with engine.begin() as conn:
        for row in rows:
            values = {"created_at": now, "updated_at": now, **row}
            key = conn.execute(sa.insert(table).values(values)).inserted_primary_key
            assert key is not None
            ids.append(int(key[0]))
    return ids


def select(engine: sa.Engine, table: str, *columns: str) -> list[tuple[Any, ...]]:
    """``columns`` of every row of ``table``, by id."""
    with engine.connect() as conn:
        names = ", ".join(f'"{c}"' for c in columns)
        query = sa.text(f'SELECT {names} FROM "{table}" ORDER BY id')
        return [tuple(r) for r in conn.execute(query)]


def read(engine: sa.Engine, text: str, entity: str, *columns: str) -> list[tuple[Any, ...]]:
    """Like :func:`select`, with the column types of ``entity`` in definition ``text``."""
    table = AppTables(compile_app(text)).table(entity)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(*(table.c[c] for c in columns)).order_by(table.c.id))]


def tables(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def snapshot(engine: sa.Engine) -> dict[str, Any]:
    """Everything about the database a migration could change: structure and all rows."""
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for name in sorted(inspector.get_table_names()):
            out[name] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"])
                            for c in inspector.get_columns(name)],
                "indexes": sorted((i["name"], tuple(i["column_names"]), i["unique"])
                                  for i in inspector.get_indexes(name)),
                "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"],
                               str(f["options"])) for f in inspector.get_foreign_keys(name)),
                "rows": sorted(map(repr, conn.execute(sa.select(sa.text("*"))
                                                      .select_from(sa.table(name))))),
            }
    return out


CONTACT = {
    "name": "{type: string, required: true, max_length: 100}",
    "email": "email",
    "notes": "text",
    "score": "integer",
    "company": "{type: ref, to: Company, on_delete: set_null}",
}
COMPANY = {"title": "{type: string, required: true}", "size": "string", "budget": "money"}


def crm(contact: Mapping[str, str | None] | None = None,
        company: Mapping[str, str | None] | None = None, *, without_company: bool = False,
        company_entity: str = "Company", more: str = "") -> str:
    """The CRM definition with some fields changed: a spec replaces or adds a field, None drops
    it; ``more`` is added to the entities."""
    def fields(base: Mapping[str, str], changes: Mapping[str, str | None] | None) -> str:
        merged = {**base, **(changes or {})}
        return "".join(f"      {k}: {v}\n" for k, v in merged.items() if v is not None)

    text = f"app: crm\nentities:\n  Contact:\n    fields:\n{fields(CONTACT, contact)}"
    if not without_company:
        renamed = "    renamed_from: Company\n" if company_entity != "Company" else ""
        text += f"  {company_entity}:\n{renamed}    fields:\n{fields(COMPANY, company)}"
    return text + more


CRM = crm()


def seeded(engine: sa.Engine) -> tuple[int, int]:
    """Migrate CRM and add two companies and three contacts; returns the companies' ids."""
    migrate(engine, CRM)
    acme, zeta = insert(engine, CRM, "Company", [
        {"title": "Acme", "size": "10", "budget": Decimal("1000.50"), "budget_currency": "EUR"},
        {"title": "Zeta", "size": " 25 "}])
    insert(engine, CRM, "Contact", [
        {"name": "Ada Lovelace", "email": "ada@example.com", "notes": "first", "score": 3,
         "company": acme},
        {"name": "Grace", "email": "grace@example.com", "score": None, "company": zeta},
        {"name": "Linus", "email": "linus@example.com", "notes": "third", "score": 7}])
    return acme, zeta
