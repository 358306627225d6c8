"""Aggregates: every answer checked against the same numbers computed over the list results.

The list is the engine's own read path, so comparing with it checks that an aggregate sees
exactly the rows and fields the principal may read, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from apiary.engine import (
    AggregateQuery,
    BadRequest,
    Forbidden,
    ListQuery,
    Principal,
)
from tests.engine.worlds import World, app_from_text, build_world

APP = """\
app: shop
roles: [clerk, boss]
entities:
  Customer:
    display: name
    fields: {name: string}
    permissions: {boss: read}
  Order:
    fields:
      title: string
      size: {type: enum, values: [small, large, huge]}
      paid: boolean
      qty: integer
      amount: {type: decimal, scale: 2}
      price: {type: money, currency: EUR}
      fee: money
      ordered_on: date
      shipped_at: datetime
      owner: {type: ref, to: User}
      customer: {type: ref, to: Customer}
      secret: {type: integer, access: {read: [boss]}}
    workflow:
      states: [open, done]
      transitions:
        finish: {from: open, to: done, roles: [boss]}
    permissions:
      clerk: {read: "owner == user.id", create: true}
      boss: [read, create, update]
"""

DATES = ["2025-12-28", "2025-12-29", "2026-01-01", "2026-01-04", "2026-01-05", None,
         "2024-02-29", "2026-01-01"]
"""Around a year boundary: 2025-12-29 (a Monday) starts the ISO week 2026-W01."""
TIMES = ["2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z", None, "2026-03-10T12:00:00Z",
         "2025-12-29T00:00:01Z"]
AMOUNTS = ["0.10", "0.20", None, "0.70", "1234567.89", "0.01"]
FEES = [{"amount": "0.10", "currency": "USD"}, {"amount": "0.20", "currency": "EUR"}, None,
        {"amount": "0.20", "currency": "USD"}]


@pytest.fixture
def shop(db: sa.Engine) -> World:
    world = build_world(db, app_from_text(APP))
    world.person("clerk2", "clerk")
    boss = world["boss"]
    customers = [world.svc.create(world["admin"], "Customer", {"name": name})["id"]
                 for name in ("Ada <b>Corp</b>", "Bee Ltd")]
    owners = [world["clerk"].user_id, world["clerk2"].user_id]
    for i in range(19):
        record = world.svc.create(world["admin"], "Order", {
            "title": ["alpha", "bravo", "charlie", None][i % 4],
            "size": ["small", "large", "huge", None, "small"][i % 5],
            "paid": [True, False, None][i % 3],
            "qty": [1, 2, None, 7][i % 4],
            "amount": AMOUNTS[i % len(AMOUNTS)],
            "price": ["9.99", "0.01", None][i % 3],
            "fee": FEES[i % len(FEES)],
            "ordered_on": DATES[i % len(DATES)],
            "shipped_at": TIMES[i % len(TIMES)],
            "owner": owners[i % 3 % 2] if i % 7 else None,
            "customer": customers[i % 2] if i % 5 else None,
            "secret": i})
        if i % 4 == 0:
            world.svc.transition(boss, "Order", record["id"], "finish")
    return world


def readable(world: World, who: Principal, flt: str | None) -> list[dict[str, Any]]:
    """Every record ``who`` may read that matches ``flt``, through the list."""
    out: list[dict[str, Any]] = []
    after = None
    while True:
        page = world.svc.list(who, "Order", ListQuery(filter=flt, limit=200, after=after))
        out.extend(page.items)
        if page.next is None:
            return out
        after = page.next


PERIOD_START: dict[str, Callable[[dt.date], dt.date]] = {
    "day": lambda d: d,
    "week": lambda d: d - dt.timedelta(days=d.weekday()),
    "month": lambda d: d.replace(day=1),
    "year": lambda d: d.replace(month=1, day=1),
}


def group_key(value: Any, period: str | None) -> Any:
    if value is None or period is None:
        return value
    day = dt.date.fromisoformat(value[:10])
    return PERIOD_START[period](day).isoformat()


def plain(value: Any) -> tuple[Any, str | None]:
    """A listed value as (number or date, currency)."""
    if isinstance(value, dict):
        return Decimal(value["amount"]), value["currency"]
    if isinstance(value, str) and value[:4].isdigit() and "-" in value:
        return (dt.datetime.fromisoformat(value.replace("Z", "")) if "T" in value
                else dt.date.fromisoformat(value)), None
    return (Decimal(value) if isinstance(value, str) else value), None


def expected(world: World, who: Principal, q: AggregateQuery
             ) -> dict[tuple[Any, str | None], tuple[Any, int]]:
    """(group key, currency) -> (value, records), computed in Python over the list."""
    groups: dict[tuple[Any, str | None], list[Any]] = defaultdict(list)
    rows: dict[tuple[Any, str | None], int] = defaultdict(int)
    per_currency = q.field == "fee" and q.kind != "count"
    for record in readable(world, who, q.filter):
        key = group_key(record[q.group_by], q.period) if q.group_by else None
        value, currency = plain(record[q.field]) if q.field else (None, None)
        slot = (key, currency if per_currency else None)
        rows[slot] += 1
        groups[slot].append(value)
    out: dict[tuple[Any, str | None], tuple[Any, int]] = {}
    for slot, values in groups.items():
        present = [v for v in values if v is not None]
        if q.kind == "count":
            result: Any = len(values) if q.field is None else len(present)
        elif q.kind == "sum":
            result = sum(present, start=Decimal(0) if q.field != "qty" else 0)
            if q.field != "qty":
                result = result.quantize(Decimal("0.01"))
        elif q.kind == "avg":
            places = Decimal("0.01") if q.field == "qty" else Decimal("0.0001")
            result = (Decimal(sum(present)) / len(present)).quantize(places) if present \
                else None
        else:
            result = (min if q.kind == "min" else max)(present) if present else None
        out[slot] = (result, rows[slot])
    if not q.group_by and not per_currency and not out:
        out[(None, None)] = ({"count": 0, "sum": Decimal("0.00")}.get(q.kind), 0)
    return out


def answered(world: World, who: Principal, q: AggregateQuery
             ) -> dict[tuple[Any, str | None], tuple[Any, int]]:
    result = world.svc.aggregate(who, "Order", q)
    assert result.omitted == 0 and result.other is None
    found = {(b.key, b.currency): (b.value, b.count) for b in result.buckets}
    assert len(found) == len(result.buckets), "each group once"
    return found


QUERIES = [
    AggregateQuery(),
    AggregateQuery(filter="paid == true || qty > 1"),
    AggregateQuery(kind="count", field="amount"),
    AggregateQuery(group_by="size"),
    AggregateQuery(group_by="state"),
    AggregateQuery(group_by="paid"),
    AggregateQuery(group_by="owner"),
    AggregateQuery(group_by="customer", filter="size != 'huge'"),
    AggregateQuery(group_by="title"),
    AggregateQuery(group_by="qty"),
    AggregateQuery(group_by="ordered_on"),
    AggregateQuery(group_by="created_by"),
    *(AggregateQuery(group_by="ordered_on", period=p) for p in PERIOD_START),
    *(AggregateQuery(group_by="shipped_at", period=p) for p in PERIOD_START),
    AggregateQuery(kind="sum", field="amount"),
    AggregateQuery(kind="sum", field="amount", group_by="size"),
    AggregateQuery(kind="avg", field="amount", group_by="paid"),
    AggregateQuery(kind="min", field="amount", group_by="size"),
    AggregateQuery(kind="max", field="amount", group_by="ordered_on", period="month"),
    AggregateQuery(kind="sum", field="qty", group_by="state"),
    AggregateQuery(kind="avg", field="qty"),
    AggregateQuery(kind="sum", field="price", group_by="owner"),
    AggregateQuery(kind="avg", field="price"),
    AggregateQuery(kind="sum", field="fee"),
    AggregateQuery(kind="avg", field="fee", group_by="size"),
    AggregateQuery(kind="max", field="fee"),
    AggregateQuery(kind="min", field="ordered_on"),
    AggregateQuery(kind="max", field="shipped_at", group_by="size"),
]


def test_every_aggregate_matches_the_same_numbers_over_the_listed_records(shop: World) -> None:
    """One world for every query and principal: building it is most of the cost."""
    for who in ("boss", "clerk", "admin"):
        for q in QUERIES:
            principal = shop[who]
            got = answered(shop, principal, replace(q, limit=100))
            assert got == expected(shop, principal, q), (who, q)


def test_a_customer_counts_only_their_own_records(shop: World) -> None:
    svc = shop.svc
    mine = svc.aggregate(shop["clerk"], "Order", AggregateQuery()).buckets[0].count
    theirs = svc.aggregate(shop["clerk2"], "Order", AggregateQuery()).buckets[0].count
    everyone = svc.aggregate(shop["boss"], "Order", AggregateQuery()).buckets[0].count
    assert min(mine, theirs) > 0 and mine + theirs < everyone == 19
    nobody = shop.person("clerk3", "clerk")
    result = svc.aggregate(nobody, "Order", AggregateQuery(kind="sum", field="amount"))
    assert [(b.value, b.count) for b in result.buckets] == [(Decimal("0.00"), 0)]
    assert svc.aggregate(nobody, "Order", AggregateQuery(group_by="size")).buckets == []
    with pytest.raises(Forbidden):
        svc.aggregate(shop["outsider"], "Order", AggregateQuery())
    with pytest.raises(Forbidden):
        svc.aggregate(shop["clerk"], "Customer", AggregateQuery())


def test_periods_are_iso_dates_in_time_order_across_the_year_boundary(shop: World) -> None:
    boss = shop["boss"]
    weeks = shop.svc.aggregate(boss, "Order", AggregateQuery(group_by="ordered_on",
                                                              period="week"))
    keys = [b.key for b in weeks.buckets]
    assert keys == ["2024-02-26", "2025-12-22", "2025-12-29", "2026-01-05", None]
    counts = {b.key: b.count for b in weeks.buckets}
    # 2025-12-29, 2026-01-01 (twice in DATES) and 2026-01-04 are one ISO week
    assert counts["2025-12-29"] == sum(1 for i in range(19) if DATES[i % 8] in (
        "2025-12-29", "2026-01-01", "2026-01-04"))
    years = shop.svc.aggregate(boss, "Order", AggregateQuery(group_by="shipped_at",
                                                              period="year"))
    assert [b.key for b in years.buckets] == ["2025-01-01", "2026-01-01", None]
    latest = shop.svc.aggregate(boss, "Order", AggregateQuery(
        group_by="ordered_on", period="month", limit=2, filter="ordered_on != null"))
    assert [b.key for b in latest.buckets] == ["2025-12-01", "2026-01-01"]
    assert latest.omitted == 1 and latest.other is not None
    assert latest.other.count == sum(1 for i in range(19) if DATES[i % 8] == "2024-02-29")


def test_decimal_sums_are_exact(shop: World) -> None:
    boss = shop["boss"]
    result = shop.svc.aggregate(boss, "Order", AggregateQuery(
        kind="sum", field="amount", filter="amount < 1"))
    values = [Decimal(a) for i in range(19) if (a := AMOUNTS[i % 6]) and Decimal(a) < 1]
    exact = sum(values, start=Decimal(0))
    total = result.buckets[0].value
    assert isinstance(total, Decimal) and total == exact
    assert str(total) == str(exact.quantize(Decimal("0.01")))
    average = shop.svc.aggregate(boss, "Order", AggregateQuery(
        kind="avg", field="amount", filter="amount < 1")).buckets[0].value
    assert average == (exact / len(values)).quantize(Decimal("0.0001"))


def test_money_with_its_own_currency_is_summed_per_currency(shop: World) -> None:
    result = shop.svc.aggregate(shop["boss"], "Order", AggregateQuery(kind="sum", field="fee"))
    by_currency = {b.currency: b.value for b in result.buckets}
    usd = sum((Decimal(f["amount"]) for i in range(19) if (f := FEES[i % 4]) and
               f["currency"] == "USD"), start=Decimal(0))
    assert by_currency["USD"] == usd and set(by_currency) == {"USD", "EUR", None}
    assert by_currency[None] == Decimal("0.00")


def test_groups_beyond_the_limit_are_summed_as_other(shop: World) -> None:
    boss = shop["boss"]
    full = shop.svc.aggregate(boss, "Order", AggregateQuery(kind="sum", field="qty",
                                                             group_by="title", limit=100))
    top = shop.svc.aggregate(boss, "Order", AggregateQuery(kind="sum", field="qty",
                                                            group_by="title", limit=2))
    assert top.buckets == full.buckets[:2]
    ordered = [b.value for b in full.buckets if isinstance(b.value, int)]
    assert len(ordered) == len(full.buckets)
    assert ordered == sorted(ordered, reverse=True)
    assert top.omitted == len(full.buckets) - 2
    assert top.other is not None
    assert top.other.value == sum(b.value for b in full.buckets[2:])  # type: ignore[misc]
    assert top.other.count == sum(b.count for b in full.buckets[2:])
    average = shop.svc.aggregate(boss, "Order", AggregateQuery(kind="avg", field="amount",
                                                                group_by="size", limit=1))
    assert average.other is not None and average.omitted == 3
    rest = [plain(r["amount"])[0] for r in readable(shop, boss, None)
            if r["size"] != average.buckets[0].key and r["amount"] is not None]
    assert average.other.value == (sum(rest) / len(rest)).quantize(Decimal("0.0001"))
    smallest = shop.svc.aggregate(boss, "Order", AggregateQuery(kind="min", field="amount",
                                                                 group_by="size", limit=2))
    assert smallest.other is None and smallest.omitted == 2


def test_refs_come_with_the_records_the_principal_may_read(shop: World) -> None:
    by_customer = AggregateQuery(group_by="customer")
    boss_view = shop.svc.aggregate(shop["boss"], "Order", by_customer)
    assert boss_view.target == "Customer"
    assert sorted(str(r.get("name")) for r in boss_view.refs.values()) == ["Ada <b>Corp</b>",
                                                                       "Bee Ltd"]
    clerk_view = shop.svc.aggregate(shop["clerk"], "Order", by_customer)
    assert clerk_view.refs and all(set(r) == {"id"} for r in clerk_view.refs.values())
    owners = shop.svc.aggregate(shop["clerk"], "Order", AggregateQuery(group_by="owner"))
    assert owners.target == "User"
    assert owners.refs[shop["clerk"].user_id]["email"] == "clerk@example.com"


BAD = [
    (AggregateQuery(kind="median"), "kind"),
    (AggregateQuery(kind="sum"), "field"),
    (AggregateQuery(kind="sum", field="title"), "field"),
    (AggregateQuery(kind="avg", field="ordered_on"), "field"),
    (AggregateQuery(period="month"), "period"),
    (AggregateQuery(group_by="qty", period="month"), "period"),
    (AggregateQuery(group_by="ordered_on", period="fortnight"), "period"),
    (AggregateQuery(group_by="shipped_at"), "period"),
    (AggregateQuery(group_by="amount"), "group_by"),
    (AggregateQuery(group_by="nope"), "group_by"),
    (AggregateQuery(kind="max", field="nope"), "field"),
    (AggregateQuery(limit=0), "limit"),
    (AggregateQuery(limit=101), "limit"),
    (AggregateQuery(limit=True), "limit"),
    (AggregateQuery(filter="qty +"), "filter"),
    (AggregateQuery(filter="qty"), "filter"),
]


def test_bad_queries_name_what_is_wrong(shop: World) -> None:
    for q, param in BAD:
        with pytest.raises(BadRequest) as caught:
            shop.svc.aggregate(shop["boss"], "Order", q)
        assert (caught.value.param, bool(caught.value.detail)) == (param, True), q


def test_a_hidden_field_is_refused_as_a_list_refuses_it(shop: World) -> None:
    clerk, svc = shop["clerk"], shop.svc
    for param, q in (("field", AggregateQuery(kind="sum", field="{}")),
                     ("group_by", AggregateQuery(group_by="{}"))):
        refusals = []
        for name in ("secret", "nonexistent_field"):
            with pytest.raises(BadRequest) as caught:
                svc.aggregate(clerk, "Order", replace(q, field=q.field and name,
                                                      group_by=q.group_by and name))
            refusals.append((caught.value.param, caught.value.detail.replace(name, "?")))
        assert refusals[0] == refusals[1] == (param, "`?` is not a field you can use here.")
    with pytest.raises(BadRequest) as aggregated:
        svc.aggregate(clerk, "Order", AggregateQuery(filter="secret > 3"))
    with pytest.raises(BadRequest) as listed:
        svc.list(clerk, "Order", ListQuery(filter="secret > 3"))
    assert (aggregated.value.param, aggregated.value.detail) == (
        listed.value.param, listed.value.detail)
    allowed = svc.aggregate(shop["boss"], "Order", AggregateQuery(
        kind="sum", field="secret", group_by="size", filter="secret > 3"))
    assert sum(b.value for b in allowed.buckets) == sum(range(4, 19))  # type: ignore[misc]
