"""A legacy database becomes an app over a copy of its rows; its own tables are only read."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from apiary.definition import compile_data
from apiary.engine import ListQuery, Runtime
from apiary.importing import ImportFailed, load, plan_database
from apiary.importing.loading import LOADER
from apiary.storage import apply, connect, plan

SAMPLES = Path(__file__).parent / "samples"
LEGACY_ROWS = {"customers": 20, "products": 10, "orders": 40, "order_lines": 40}


def legacy_copy(tmp_path: Path) -> Path:
    path = tmp_path / "legacy.db"
    shutil.copy(SAMPLES / "legacy.db", path)
    return path


def test_tables_keys_and_foreign_keys_map_to_the_definition(tmp_path: Path) -> None:
    result = plan_database(f"sqlite:///{legacy_copy(tmp_path)}")
    entities = result.document["entities"]
    assert set(entities) == {"Customer", "Product", "Order", "OrderLine"}
    order = entities["Order"]["fields"]
    assert order["customer"] == {"type": "ref", "to": "Customer",
                                 "required": True}
    assert order["ordered_at"]["type"] == "datetime"
    assert order["status"]["type"] == "enum"
    assert set(order["status"]["values"]) == {"new", "paid", "shipped", "cancelled"}
    assert entities["OrderLine"]["fields"]["product_sku"]["to"] == "Product"
    customer = entities["Customer"]["fields"]
    assert customer["source_id"] == {"label": "ID", "type": "integer", "required": True,
                                     "unique": True}
    assert customer["email"]["unique"] is True and customer["email"]["pii"] is True
    assert customer["orders"] == {"type": "has_many", "to": "Order", "via": "customer"}
    product = entities["Product"]["fields"]
    assert product["price"] == {"type": "decimal", "scale": 2, "required": True}
    assert product["active"]["type"] == "boolean"
    assert any("order_id, product_sku" in n for n in result.notes)
    compile_data(result.document)


def test_loading_beside_the_legacy_tables_copies_every_row_and_changes_none(
        tmp_path: Path) -> None:
    path = legacy_copy(tmp_path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    url = f"sqlite:///{path}"
    result = plan_database(url)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, "planning wrote to it"
    app = compile_data(result.document)
    db = connect(url)
    try:
        apply(plan(app, db), db)
        service = Runtime(db, [app]).records(app.name)
        report = load(result, service)
        assert report.complete, report.summary()
        assert report.loaded == LEGACY_ROWS
        counted = {e: service.list(LOADER, e, ListQuery(count=True, limit=1)).total
                   for e in app.entities}
        assert counted == {"Customer": 20, "Product": 10, "Order": 40, "OrderLine": 40}
        with db.connect() as conn:
            legacy = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                      for t in LEGACY_ROWS}
            original = conn.execute(sa.text(
                "SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.customer_id "
                "WHERE o.id = 7")).one()
        assert legacy == LEGACY_ROWS
        order = _one(service, "Order", f"source_id == {original[0]}", expand=("customer",))
        assert order["customer"]["email"] == original[1], "the reference kept its target"
    finally:
        db.dispose()


def _one(service: Any, entity: str, where: str, expand: tuple[str, ...] = ()) -> Any:
    page = service.list(LOADER, entity, ListQuery(filter=where, expand=expand, limit=2))
    assert len(page.items) == 1
    return page.items[0]


@pytest.mark.postgres
def test_a_postgresql_database_maps_the_same_way(postgres_url: str) -> None:
    legacy = sa.create_engine(postgres_url)
    with legacy.begin() as conn:
        conn.execute(sa.text(
            "CREATE TABLE suppliers (id SERIAL PRIMARY KEY, name VARCHAR(80) NOT NULL UNIQUE, "
            "rating NUMERIC(3, 1), since DATE)"))
        conn.execute(sa.text(
            "CREATE TABLE parts (id SERIAL PRIMARY KEY, supplier_id INTEGER NOT NULL "
            "REFERENCES suppliers(id), code VARCHAR(20) NOT NULL UNIQUE, "
            "weight_kg DOUBLE PRECISION, discontinued BOOLEAN NOT NULL DEFAULT false, "
            "added_at TIMESTAMP NOT NULL)"))
        conn.execute(sa.text("INSERT INTO suppliers (name, rating, since) VALUES "
                             "('Acme', 4.5, '2020-01-01'), ('Globex', NULL, NULL)"))
        conn.execute(sa.text(
            "INSERT INTO parts (supplier_id, code, weight_kg, added_at) VALUES "
            "(1, 'P-1', 1.25, '2024-01-01 10:00'), (2, 'P-2', NULL, '2024-01-02 11:00'), "
            "(1, 'P-3', 0.5, '2024-01-03 12:00')"))
    legacy.dispose()
    result = plan_database(postgres_url)
    fields = result.document["entities"]["Part"]["fields"]
    assert fields["supplier"]["to"] == "Supplier" and fields["supplier"]["required"]
    assert fields["code"]["unique"] and fields["added_at"]["type"] == "datetime"
    assert result.document["entities"]["Supplier"]["fields"]["rating"]["scale"] == 1
    app = compile_data(result.document)
    db = connect(postgres_url)
    try:
        apply(plan(app, db), db)
        report = load(result, Runtime(db, [app]).records(app.name))
        assert report.complete and report.loaded == {"suppliers": 2, "parts": 3}
    finally:
        db.dispose()


def test_a_database_without_tables_or_unreachable(tmp_path: Path) -> None:
    sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}").connect().close()
    with pytest.raises(ImportFailed, match="no tables"):
        plan_database(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(ImportFailed, match="Cannot"):
        plan_database("nosuchdriver://somewhere/db")
