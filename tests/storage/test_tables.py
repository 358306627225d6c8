"""Tables from definitions: types, constraints, indexes and names, checked on the live database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
import sqlalchemy as sa

from apiary.definition.compiled import Field, FieldType
from apiary.storage import AppTables, SchemaError, plan
from apiary.storage.naming import MAX_IDENTIFIER, fit
from apiary.storage.types import kind_of
from tests.storage.apps import compile_app, insert, migrate, read, select

SHOP = """\
    app: shop
    entities:
      Customer:
        fields:
          name: {type: string, required: true}
          email: {type: email, unique: true}
          website: url
          phone: phone
          code: {type: string, max_length: 12}
          notes: text
          credit: money
          vip: {type: boolean, default: false}
          born: date
          seen_at: datetime
          tier: {type: enum, values: [bronze, silver, platinum_with_a_very_long_value_name]}
          prefs: json
          avatar: file
          visits: {type: integer, indexed: true}
          score: {type: integer, computed: "visits * 2"}
          account_manager: {type: ref, to: User, on_delete: set_null}
          orders: {type: has_many, to: Order}
      Order:
        fields:
          customer: {type: ref, to: Customer, required: true, on_delete: cascade}
          quantity: {type: integer, required: true}
          rate: {type: decimal, scale: 4}
          total: {type: money, currency: EUR}
          parent: {type: ref, to: Order, on_delete: set_null}
        workflow: {states: [draft, placed, shipped]}
        indexes: [[customer, quantity]]
    """


def reflect(engine: sa.Engine, table: str) -> dict[str, tuple[str, bool]]:
    with engine.connect() as conn:
        return {c["name"]: (str(kind_of(c["type"])), c["nullable"])
                for c in sa.inspect(conn).get_columns(table)}


def test_every_field_type_has_its_column(engine: sa.Engine) -> None:
    migrate(engine, SHOP)
    assert reflect(engine, "shop__customer") == {
        "id": ("integer", False),
        "name": ("string(255)", False),
        "email": ("string(320)", True),
        "website": ("string(2048)", True),
        "phone": ("string(40)", True),
        "code": ("string(12)", True),
        "notes": ("text", True),
        "credit": ("numeric(18,2)", True),
        "credit_currency": ("string(3)", True),
        "vip": ("boolean", True),
        "born": ("date", True),
        "seen_at": ("datetime", True),
        "tier": ("string(36)", True),
        "prefs": ("json", True),
        "avatar": ("json", True),
        "visits": ("integer", True),
        "score": ("integer", True),
        "account_manager": ("integer", True),
        "created_at": ("datetime", False),
        "updated_at": ("datetime", False),
        "created_by": ("integer", True),
        "updated_by": ("integer", True),
        "row_version": ("integer", False),
    }
    order = reflect(engine, "shop__order")
    assert order["state"] == ("string(32)", False)
    assert order["rate"] == ("numeric(18,4)", True)
    assert "total_currency" not in order


def test_values_round_trip(engine: sa.Engine) -> None:
    migrate(engine, SHOP)
    [cid] = insert(engine, SHOP, "Customer", [{
        "name": "Ada", "credit": Decimal("12.34"), "credit_currency": "EUR", "vip": True,
        "born": dt.date(1815, 12, 10), "seen_at": dt.datetime(2026, 5, 1, 12, 30, 15, 123456),
        "prefs": {"theme": "dark", "n": [1, 2]}, "visits": 2**40}])
    insert(engine, SHOP, "Order", [{"customer": cid, "quantity": 3, "state": "draft",
                                    "rate": Decimal("0.1234"), "total": Decimal("99.99")}])
    assert read(engine, SHOP, "Customer", "credit", "vip", "born", "seen_at", "prefs",
                "visits") == [(Decimal("12.34"), True, dt.date(1815, 12, 10),
                                 dt.datetime(2026, 5, 1, 12, 30, 15, 123456),
                                 {"theme": "dark", "n": [1, 2]}, 2**40)]
    assert read(engine, SHOP, "Order", "rate", "total") == [(Decimal("0.1234"),
                                                             Decimal("99.99"))]


def test_references_unique_and_indexes(engine: sa.Engine) -> None:
    migrate(engine, SHOP)
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        fks = {f["constrained_columns"][0]: (f["referred_table"], f["options"].get("ondelete"))
               for f in inspector.get_foreign_keys("shop__order")}
        indexes = {i["name"]: (tuple(i["column_names"]), bool(i["unique"]))
                   for i in inspector.get_indexes("shop__order")}
        customer_indexes = {i["name"]: (tuple(i["column_names"]), bool(i["unique"]))
                            for i in inspector.get_indexes("shop__customer")}
    assert fks == {
        "customer": ("shop__customer", "CASCADE"),
        "parent": ("shop__order", "SET NULL"),
        "created_by": ("apiary_users", "SET NULL"),
        "updated_by": ("apiary_users", "SET NULL"),
    }
    # `customer` alone is served by the (customer, quantity) index
    assert indexes == {
        "ix_shop__order__customer__quantity": (("customer", "quantity"), False),
        "ix_shop__order__parent": (("parent",), False),
        "ix_shop__order__state": (("state",), False),
    }
    assert customer_indexes == {
        "uq_shop__customer__email": (("email",), True),
        "ix_shop__customer__visits": (("visits",), False),
        "ix_shop__customer__account_manager": (("account_manager",), False),
    }
    insert(engine, SHOP, "Customer", [{"name": "a", "email": "a@example.com"}])
    with pytest.raises(sa.exc.IntegrityError):
        insert(engine, SHOP, "Customer", [{"name": "b", "email": "a@example.com"}])


def test_on_delete_rules_are_enforced(engine: sa.Engine) -> None:
    migrate(engine, SHOP)
    users = AppTables(compile_app(SHOP)).users
    with engine.begin() as conn:
        uid = conn.execute(sa.insert(users).values(
            email="m@example.com", is_active=True, created_at=dt.datetime(2026, 1, 1))
            .returning(users.c.id)).scalar_one()
    [cid] = insert(engine, SHOP, "Customer", [{"name": "a", "account_manager": uid,
                                               "created_by": uid}])
    [first] = insert(engine, SHOP, "Order", [{"customer": cid, "quantity": 1, "state": "draft"}])
    insert(engine, SHOP, "Order", [{"customer": cid, "quantity": 2, "state": "draft",
                                     "parent": first}])
    with engine.begin() as conn:
        conn.execute(sa.delete(users))
    assert select(engine, "shop__customer", "account_manager", "created_by") == [(None, None)]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(sa.table("shop__order", sa.column("customer"),
                                        sa.column("quantity"), sa.column("state"),
                                        sa.column("created_at"), sa.column("updated_at"),
                                        sa.column("row_version")))
                     .values(customer=999, quantity=1, state="draft",
                             created_at=dt.datetime(2026, 1, 1),
                             updated_at=dt.datetime(2026, 1, 1), row_version=1))
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM shop__customer"))
    assert select(engine, "shop__order", "id") == []


def test_columns_map_field_names_to_the_tables_columns() -> None:
    tables = AppTables(compile_app(SHOP))
    columns = tables.columns("Customer")
    customer = tables.table("Customer")
    assert columns["name"] is customer.c.name
    assert columns["credit_currency"] is customer.c.credit_currency
    assert {"id", "created_at", "updated_at", "created_by", "updated_by",
            "row_version"} <= set(columns)
    assert "orders" not in columns
    assert tables.columns(tables.app.entities["Order"])["state"] is tables.table("Order").c.state
    query = sa.select(customer.c.id).where(columns["visits"] > 3)
    assert "shop__customer.visits >" in str(query)


def test_sql_keywords_are_fine_names(engine: sa.Engine) -> None:
    text = """\
        app: select
        entities:
          Order:
            fields:
              order: {type: integer, indexed: true}
              select: {type: string, unique: true}
              from: {type: ref, to: Group}
              check: boolean
          Group:
            fields: {table: string, limit: integer, where: text}
            indexes: [[table, limit]]
        """
    migrate(engine, text)
    [gid] = insert(engine, text, "Group", [{"table": "t", "limit": 5, "where": "here"}])
    insert(engine, text, "Order", [{"order": 1, "select": "x", "from": gid, "check": True}])
    tables = AppTables(compile_app(text))
    order = tables.table("Order")
    with engine.connect() as conn:
        found = conn.execute(sa.select(order.c.order, order.c.select, order.c["from"])
                             .where(order.c.check.is_(True))).all()
    assert found == [(1, "x", gid)]
    assert select(engine, "select__group", "table", "limit", "where") == [("t", 5, "here")]


def test_names_fit_postgres_identifiers(engine: sa.Engine) -> None:
    long_field = "a_field_name_that_is_quite_long_indeed"
    text = f"""\
        app: a-rather-long-app-name
        entities:
          AnEntityWithALongName:
            fields:
              {long_field}1: {{type: string, unique: true}}
              {long_field}2: {{type: string, unique: true}}
        """
    migrate(engine, text)
    with engine.connect() as conn:
        names = [str(i["name"]) for i in sa.inspect(conn).get_indexes(
            "a_rather_long_app_name__an_entity_with_a_long_name")]
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(n) <= MAX_IDENTIFIER for n in names)
    assert fit("x" * 63) == "x" * 63
    assert fit("x" * 64) != fit("x" * 65)
    assert len(fit("x" * 200)) == MAX_IDENTIFIER
    assert plan(compile_app(text), engine).empty


def test_two_fields_wanting_one_column_is_a_schema_error() -> None:
    app = compile_app("""\
        app: x
        entities:
          A: {fields: {price: money, other: string}}
        """)
    entity = app.entities["A"]
    clash = Field(name="price_currency", type=FieldType.STRING, label="Clash")
    broken = replace(app, entities={"A": replace(entity, fields={
        **entity.fields, "price_currency": clash})})
    with pytest.raises(SchemaError, match="more than one column named `price_currency`"):
        AppTables(broken)


def test_entities_may_refer_to_each_other(engine: sa.Engine) -> None:
    text = """\
        app: org
        entities:
          Team:
            fields: {name: string, lead: {type: ref, to: Person, on_delete: set_null}}
          Person:
            fields: {name: string, team: {type: ref, to: Team, on_delete: set_null}}
        """
    migrate(engine, text)
    [team] = insert(engine, text, "Team", [{"name": "core"}])
    [person] = insert(engine, text, "Person", [{"name": "Ada", "team": team}])
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE org__team SET lead = :p"), {"p": person})
    # a rebuild on SQLite (and ALTER on PostgreSQL) of one side of the cycle
    v2 = text.replace("Team:\n            fields: {name: string,",
                      "Team:\n            fields: {name: {type: string, required: true},")
    assert [s.description for s in migrate(engine, v2).plan.steps] == [
        "make org__team.name required"]
    assert read(engine, v2, "Team", "name", "lead") == [("core", person)]
    assert plan(compile_app(v2), engine).empty
