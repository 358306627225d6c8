"""Listing records: filters, equals shortcuts, sorting, keyset pagination, counts and expand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from apiary.engine import BadRequest, Forbidden, ListQuery, Principal, Runtime
from tests.engine.worlds import EXAMPLES, World, app_from_text

WORDS = ["alpha", "bravo", "charlie", None, "delta", None, "bravo"]


def seed_tickets(world: World, n: int = 23) -> list[dict[str, Any]]:
    """Tickets whose sortable fields repeat and are often empty."""
    admin = world["admin"]
    out: list[dict[str, Any]] = []
    for i in range(n):
        original = [None, 0, 1, None, 0][i % 5] if i > 1 else None
        out.append(world.svc.create(admin, "Ticket", {
            "subject": f"Ticket number {i}", "description": "Details.",
            "category": ["question", "incident", "billing"][i % 3],
            "priority": ["low", "normal", "high"][i % 3],
            "resolution": WORDS[i % len(WORDS)],
            "duplicate_of": None if original is None else out[original]["id"],
            "time_spent_hours": [None, "1.50", "0.25", "1.5"][i % 4],
            "first_response_at": None if i % 3 == 0 else
            f"2026-03-{1 + i % 4:02d}T10:00:00Z"}))
    return out


def expected_order(records: list[dict[str, Any]], sort: tuple[str, ...]) -> list[int]:
    """The documented order, computed in Python: empty values are the largest, then ``id``."""
    def key(record: dict[str, Any]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for spec in sort:
            name = spec.lstrip("-")
            value = record[name]
            if name == "time_spent_hours" and value is not None:
                value = Decimal(value)
            rank = (1, 0) if value is None else (0, value)
            parts.append(_Reversed(rank) if spec.startswith("-") else rank)
        parts.append(record["id"])
        return tuple(parts)

    return [r["id"] for r in sorted(records, key=key)]


class _Reversed:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.value == other.value


def walk(world: World, who: Principal, query: ListQuery) -> list[int]:
    ids: list[int] = []
    after = None
    while True:
        page = world.svc.list(who, "Ticket", ListQuery(
            filter=query.filter, sort=query.sort, limit=query.limit, after=after))
        assert len(page.items) <= query.limit
        ids.extend(item["id"] for item in page.items)
        if page.next is None:
            return ids
        after = page.next


@pytest.mark.parametrize("sort", [
    (), ("resolution",), ("-resolution",), ("-duplicate_of", "resolution"),
    ("first_response_at", "-time_spent_hours"), ("-first_response_at",),
    ("time_spent_hours", "-duplicate_of", "-resolution"), ("-id",), ("priority", "-id"),
])
def test_keyset_pages_follow_the_sort_with_empty_values_last(helpdesk: World,
                                                             sort: tuple[str, ...]) -> None:
    records = seed_tickets(helpdesk)
    ids = walk(helpdesk, helpdesk["agent"], ListQuery(sort=sort, limit=4))
    expected = expected_order(records, sort) if sort != ("-id",) else sorted(
        (r["id"] for r in records), reverse=True)
    assert ids == expected


def test_a_page_with_count_and_filter(helpdesk: World) -> None:
    records = seed_tickets(helpdesk)
    agent = helpdesk["agent"]
    page = helpdesk.svc.list(agent, "Ticket", ListQuery(
        filter="priority == 'high' || duplicate_of == null", limit=3, count=True,
        sort=("-duplicate_of",)))
    matching = [r for r in records if r["priority"] == "high" or r["duplicate_of"] is None]
    assert page.total == len(matching)
    assert [i["id"] for i in page.items] == expected_order(matching, ("-duplicate_of",))[:3]
    assert page.next is not None
    assert helpdesk.svc.list(agent, "Ticket", ListQuery()).total is None


def test_default_limit_and_last_page(helpdesk: World) -> None:
    seed_tickets(helpdesk, 52)
    page = helpdesk.svc.list(helpdesk["agent"], "Ticket")
    assert len(page.items) == 50 and page.next is not None
    rest = helpdesk.svc.list(helpdesk["agent"], "Ticket", ListQuery(after=page.next))
    assert len(rest.items) == 2 and rest.next is None


def test_filters_treat_injection_attempts_as_data(helpdesk: World) -> None:
    admin = helpdesk["admin"]
    nasty = "Robert'); DROP TABLE helpdesk__ticket; --"
    helpdesk.svc.create(admin, "Ticket", {"subject": nasty, "description": "x",
                                          "category": "question"})
    helpdesk.svc.create(admin, "Ticket", {"subject": "Ordinary ticket", "description": "x",
                                          "category": "question"})
    svc = helpdesk.svc
    found = svc.list(admin, "Ticket", ListQuery(filter=f'subject == "{nasty}"')).items
    assert [r["subject"] for r in found] == [nasty]
    assert svc.list(admin, "Ticket", ListQuery(filter="subject == \"x' OR '1'='1\"")).items == []
    found = svc.list(admin, "Ticket", ListQuery(equals={"subject": nasty})).items
    assert [r["subject"] for r in found] == [nasty]
    assert svc.list(admin, "Ticket", ListQuery(equals={"subject": "' OR 1=1 --"})).items == []
    assert len(svc.list(admin, "Ticket").items) == 2


def test_equals_shortcuts_are_read_as_the_field_type(helpdesk: World) -> None:
    records = seed_tickets(helpdesk, 12)
    agent = helpdesk["agent"]
    svc = helpdesk.svc

    def ids(**equals: str) -> list[int]:
        return [r["id"] for r in svc.list(agent, "Ticket", ListQuery(equals=equals)).items]

    first = records[0]["id"]
    assert ids(duplicate_of=str(first)) == [r["id"] for r in records
                                            if r["duplicate_of"] == first]
    assert ids(time_spent_hours="1.5") == [r["id"] for r in records
                                           if r["time_spent_hours"] == "1.50"]
    assert ids(state="new", priority="low") == [r["id"] for r in records
                                                if r["priority"] == "low"]
    assert ids(created_by=str(helpdesk["admin"].user_id)) == [r["id"] for r in records]
    assert ids(first_response_at="2026-03-02T10:00:00Z") == [
        r["id"] for r in records if r["first_response_at"] == "2026-03-02T10:00:00Z"]
    for equals, param in [({"duplicate_of": "three"}, "duplicate_of"),
                          ({"duplicate_of": "1.0"}, "duplicate_of"),
                          ({"priority": "highest"}, "priority"),
                          ({"nope": "1"}, "nope"),
                          ({"source_metadata": "{}"}, "source_metadata")]:
        with pytest.raises(BadRequest) as caught:
            svc.list(agent, "Ticket", ListQuery(equals=equals))
        assert caught.value.param == param


@pytest.mark.parametrize(("query", "param"), [
    (ListQuery(limit=0), "limit"),
    (ListQuery(limit=201), "limit"),
    (ListQuery(filter="priority = 'high'"), "filter"),
    (ListQuery(filter="priority == 'hihg'"), "filter"),
    (ListQuery(filter="subject"), "filter"),
    (ListQuery(filter="subject.matches('a')"), "filter"),
    (ListQuery(sort=("nope",)), "sort"),
    (ListQuery(sort=("source_metadata",)), "sort"),
    (ListQuery(sort=("subject", "-subject")), "sort"),
    (ListQuery(after="garbage!"), "after"),
    (ListQuery(after="eyJzIjpbImlkIl0sInYiOlsieCJdfQ"), "after"),
    (ListQuery(expand=("subject",)), "expand"),
    (ListQuery(expand=("comments",)), "expand"),
    (ListQuery(equals={"created_by": "-9223372036854775809"}), "created_by"),
    (ListQuery(equals={"duplicate_of": "99999999999999999999"}), "duplicate_of"),
    (ListQuery(equals={"time_spent_hours": "1375524158799897532910064875.2190"}),
     "time_spent_hours"),
    (ListQuery(equals={"time_spent_hours": "1e999999"}), "time_spent_hours"),
])
def test_bad_parameters_name_the_parameter(helpdesk: World, query: ListQuery,
                                           param: str) -> None:
    with pytest.raises(BadRequest) as caught:
        helpdesk.svc.list(helpdesk["agent"], "Ticket", query)
    assert caught.value.param == param and caught.value.status == 400


def test_a_cursor_belongs_to_its_sort(helpdesk: World) -> None:
    seed_tickets(helpdesk, 5)
    agent = helpdesk["agent"]
    page = helpdesk.svc.list(agent, "Ticket", ListQuery(limit=2, sort=("-duplicate_of",)))
    assert page.next is not None
    with pytest.raises(BadRequest) as caught:
        helpdesk.svc.list(agent, "Ticket", ListQuery(limit=2, after=page.next))
    assert caught.value.param == "after"


def without_internal_notes() -> Runtime:
    text = (EXAMPLES / "helpdesk.yaml").read_text(encoding="utf-8")
    hidden = ("      internal_notes:\n        type: text\n        description: Notes for the "
              "support team; never shown to the customer.\n        access: {read: [agent, "
              "supervisor], write: [agent, supervisor]}\n")
    assert hidden in text and "product_version, internal_notes," in text
    text = text.replace(hidden, "").replace("product_version, internal_notes,", "product_version,")
    return Runtime(sa.create_engine("sqlite://"), [app_from_text(text)])


@pytest.mark.parametrize("query", [
    ListQuery(filter="internal_notes == 'x'"),
    ListQuery(filter="internal_notes != null && priority == 'high'"),
    ListQuery(sort=("-internal_notes",)),
    ListQuery(equals={"internal_notes": "x"}),
    ListQuery(expand=("internal_notes",)),
])
def test_a_hidden_field_is_answered_like_a_field_that_does_not_exist(helpdesk: World,
                                                                      query: ListQuery) -> None:
    customer = helpdesk["customer"]
    with pytest.raises(BadRequest) as hidden:
        helpdesk.svc.list(customer, "Ticket", query)
    with pytest.raises(BadRequest) as absent:
        without_internal_notes().records("helpdesk").list(customer, "Ticket", query)
    assert (hidden.value.param, hidden.value.detail, hidden.value.errors) == (
        absent.value.param, absent.value.detail, absent.value.errors)
    if not query.expand:
        assert helpdesk.svc.list(helpdesk["agent"], "Ticket", query).items == []


@contextmanager
def statements(db: sa.Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(db, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db, "before_cursor_execute", record)


def test_naming_a_field_twice_in_expand_expands_it_once(helpdesk: World) -> None:
    seed_tickets(helpdesk, 2)
    page = helpdesk.svc.list(helpdesk["admin"], "Ticket",
                             ListQuery(expand=("created_by", "created_by")))
    assert all(isinstance(item["created_by"], dict) for item in page.items)


def test_expand_uses_one_query_per_field(helpdesk: World) -> None:
    admin, agent, customer = helpdesk["admin"], helpdesk["agent"], helpdesk["customer"]
    svc = helpdesk.svc
    accounts = [svc.create(admin, "Account", {"name": f"Account {c}", "code": f"ACC{c}",
                                              "contract_value": 100})
                for c in "AB"]
    for i in range(6):
        svc.create(admin, "Ticket", {
            "subject": f"Ticket number {i}", "description": "x", "category": "question",
            "account": accounts[i % 2]["id"], "assignee": agent.user_id if i % 2 else None})
    with statements(helpdesk.db) as seen:
        page = svc.list(agent, "Ticket", ListQuery(expand=("assignee", "account",
                                                          "created_by")))
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4, selects
    first, second = page.items[0], page.items[1]
    assert first["assignee"] is None
    assert second["assignee"] == {"id": agent.user_id, "email": "agent@example.com",
                                  "display_name": "Agent"}
    assert first["account"]["name"] == "Account A"
    assert "contract_value" not in first["account"], "expanded records keep the reader's shape"
    assert first["created_by"]["email"] == "admin@example.com"
    # a customer may not read accounts: the reference stays, as an id only
    own = svc.create(customer, "Ticket", {"subject": "My own ticket", "description": "x",
                                          "category": "question"})
    svc.update(admin, "Ticket", own["id"], {"account": accounts[0]["id"]})
    record = svc.get(customer, "Ticket", own["id"], expand=("account",))
    assert record["account"] == {"id": accounts[0]["id"]}


def test_reading_needs_the_read_permission(helpdesk: World) -> None:
    with pytest.raises(Forbidden):
        helpdesk.svc.list(helpdesk["customer"], "Account")
    with pytest.raises(Forbidden):
        helpdesk.svc.list(helpdesk["outsider"], "Ticket")


def test_filters_may_use_user_and_time(helpdesk: World) -> None:
    agent, admin = helpdesk["agent"], helpdesk["admin"]
    mine = helpdesk.svc.create(admin, "Ticket", {
        "subject": "Assigned to agent", "description": "x", "category": "question",
        "assignee": agent.user_id})
    helpdesk.svc.create(admin, "Ticket", {"subject": "Nobody's ticket", "description": "x",
                                          "category": "question"})
    page = helpdesk.svc.list(agent, "Ticket", ListQuery(filter="assignee == user.id"))
    assert [r["id"] for r in page.items] == [mine["id"]]
    page = helpdesk.svc.list(agent, "Ticket", ListQuery(filter="sla_due_at > now"))
    assert len(page.items) == 2
    assert dt.date(2026, 3, 10).isoformat() in page.items[0]["created_at"]


def test_a_repeated_filter_still_sees_the_clock_and_its_own_values(db: sa.Engine) -> None:
    """List statements are reused for the same filter; `now` and new values must still count."""
    from apiary.definition import compile_text
    from apiary.storage import apply, plan

    app = compile_text("app: t\nentities:\n  Note:\n    fields: {due: datetime, n: integer}\n")
    apply(plan(app, db), db)
    now = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
    svc = Runtime(db, [app], clock=lambda: now[0]).records("t")
    admin = Principal(user_id=None, email=None, roles=frozenset({"admin"}))
    svc.create(admin, "Note", {"due": "2026-06-01T00:00:00Z", "n": 1})
    overdue = ListQuery(filter="due < now")
    assert svc.list(admin, "Note", overdue).items == []
    now[0] = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    assert [r["n"] for r in svc.list(admin, "Note", overdue).items] == [1]
    assert len(svc.list(admin, "Note", ListQuery(equals={"n": "1"})).items) == 1
    assert svc.list(admin, "Note", ListQuery(equals={"n": "2"})).items == []
    assert len(svc.list(admin, "Note", ListQuery(filter="n == 1", count=True)).items) == 1
    assert svc.list(admin, "Note", ListQuery(filter="n == 2", count=True)).total == 0
