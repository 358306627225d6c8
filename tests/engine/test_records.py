"""The record service's write path on the example apps: create, update, delete, errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from apiary.engine import (
    BadRequest,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
)
from apiary.storage.system import AUDIT
from tests.engine.worlds import NOW, World


def ticket(**extra: Any) -> dict[str, Any]:
    return {"subject": "Printer is on fire", "description": "Smoke everywhere.",
            "category": "incident", **extra}


def audit_count(world: World) -> int:
    with world.db.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {AUDIT}")).scalar_one())


def problems(error: Invalid | Forbidden | Conflict) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in error.errors}


def test_create_sets_defaults_system_and_computed_fields(helpdesk: World) -> None:
    customer = helpdesk["customer"]
    record = helpdesk.svc.create(customer, "Ticket", ticket())
    assert record["state"] == "new"
    assert record["priority"] == "normal" and record["channel"] == "web"
    assert record["created_at"] == record["updated_at"] == "2026-03-10T09:30:00Z"
    assert record["created_by"] == record["updated_by"] == customer.user_id
    assert record["row_version"] == 1
    # computed from created_at, which is set before computed fields: normal priority -> 5 days
    assert record["sla_due_at"] == "2026-03-15T09:30:00Z"
    assert record["_transitions"] == ["withdraw"]
    assert "internal_notes" not in record and "comments" not in record


def test_values_are_json_ready(expenses: World) -> None:
    finance = expenses["finance"]
    centre = expenses.svc.create(finance, "CostCentre", {
        "code": "MK-120", "name": "Marketing", "annual_budget": 1200.5})
    assert centre["annual_budget"] == "1200.50"
    employee = expenses["employee"]
    claim = expenses.svc.create(employee, "ExpenseClaim", {
        "purpose": "Customer visit", "cost_centre": centre["id"], "period_start": "2026-03-01",
        "period_end": "2026-03-03", "approver": expenses["manager"].user_id})
    assert claim["period_start"] == "2026-03-01" and claim["cost_centre"] == centre["id"]
    line = expenses.svc.create(employee, "ExpenseLine", {
        "claim": claim["id"], "approver": expenses["manager"].user_id,
        "expense_date": "2026-03-02", "category": "meals", "description": "Lunch",
        "amount": "12.5", "vat_amount": 2, "receipt": {"name": "r.pdf"}})
    assert (line["amount"], line["vat_amount"], line["net_amount"]) == ("12.50", "2.00",
                                                                          "10.50")
    assert line["receipt"] == {"name": "r.pdf"} and line["billable"] is False


def test_money_with_its_own_currency(db: sa.Engine) -> None:
    from tests.engine.worlds import app_from_text, build_world

    world = build_world(db, app_from_text(MONEY_APP))
    admin = world["admin"]
    record = world.svc.create(admin, "Fee", {"amount": {"amount": "9.99", "currency": "USD"}})
    assert record["amount"] == {"amount": "9.99", "currency": "USD"}
    with pytest.raises(Invalid) as caught:
        world.svc.create(admin, "Fee", {"amount": "9.99"})
    assert problems(caught.value) == {("amount", "type")}
    with pytest.raises(Invalid) as caught:
        world.svc.create(admin, "Fee", {"amount": {"amount": "1", "currency": "usd"}})
    assert problems(caught.value) == {("amount", "currency")}


MONEY_APP = """\
apiary: 1
app: {name: fees, title: Fees}
roles: {clerk: Books fees.}
entities:
  Fee:
    fields:
      amount: money
      note: {type: string, default: none}
    permissions:
      clerk: true
"""


def test_every_problem_is_reported_at_once(helpdesk: World) -> None:
    with pytest.raises(Invalid) as caught:
        helpdesk.svc.create(helpdesk["admin"], "Ticket", {
            "subject": "Hi", "description": 42, "category": "wrong", "priority": "urgent",
            "time_spent_hours": "1.234", "satisfaction": 9, "product_version": "v4",
            "first_response_at": "yesterday", "state": "closed", "sla_due_at": None,
            "comments": [], "id": 5, "colour": "red"})
    assert problems(caught.value) == {
        ("subject", "min_length"), ("description", "type"), ("category", "enum"),
        ("time_spent_hours", "scale"), ("satisfaction", "max"), ("product_version", "pattern"),
        ("first_response_at", "type"), ("state", "read_only"), ("sla_due_at", "read_only"),
        ("comments", "read_only"), ("id", "read_only"), ("colour", "unknown_field"),
        # the validation rule on assignee: urgent tickets need one
        ("assignee", "validation")}
    messages = {p.field: p.message for p in caught.value.errors}
    assert "use a transition" in messages["state"]
    assert messages["assignee"] == "An urgent ticket needs someone assigned to it."
    assert caught.value.status == 422
    assert audit_count(helpdesk) == 0


@pytest.mark.parametrize(("field", "value", "code"), [
    ("subject", 5, "type"),
    ("subject", "x" * 201, "max_length"),
    ("satisfaction", "3", "type"),
    ("satisfaction", True, "type"),
    ("satisfaction", 2.5, "type"),
    ("satisfaction", 0, "min"),
    ("time_spent_hours", "ten", "type"),
    ("time_spent_hours", float("nan"), "type"),
    ("time_spent_hours", 501, "max"),
    ("first_response_at", "2026-02-30T10:00:00Z", "type"),
    ("first_response_at", "2026-03-01", "type"),
    ("attachment", "file.txt", "type"),
    ("account", "1", "type"),
    ("account", 999, "not_found"),
    ("assignee", 999, "not_found"),
    ("source_metadata", {"x": float("inf")}, "type"),
])
def test_coercion_and_checks(helpdesk: World, field: str, value: Any, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        helpdesk.svc.create(helpdesk["admin"], "Ticket", ticket(**{field: value}))
    assert problems(caught.value) == {(field, code)}


def test_accepted_forms(helpdesk: World) -> None:
    record = helpdesk.svc.create(helpdesk["admin"], "Ticket", ticket(
        time_spent_hours="1.50", satisfaction=None, first_response_at="2026-03-10T10:00:00+02:00",
        source_metadata=[1, "two"], product_version=""))
    assert record["time_spent_hours"] == "1.50"
    assert record["first_response_at"] == "2026-03-10T08:00:00Z"
    assert record["source_metadata"] == [1, "two"]
    assert record["product_version"] is None


def test_formats(helpdesk: World) -> None:
    supervisor = helpdesk["supervisor"]
    with pytest.raises(Invalid) as caught:
        helpdesk.svc.create(supervisor, "Account", {
            "name": "Acme", "code": "acme", "website": "ftp://acme", "switchboard": "call me",
            "primary_contact_email": "not-an-address", "plan": "gold"})
    assert problems(caught.value) == {
        ("code", "pattern"), ("website", "format"), ("switchboard", "format"),
        ("primary_contact_email", "format"), ("plan", "enum")}
    account = helpdesk.svc.create(supervisor, "Account", {
        "name": "Acme", "code": "ACME", "website": "https://acme.example",
        "switchboard": "+44 20 7946 0958", "primary_contact_email": "jo@acme.example"})
    assert account["plan"] == "basic" and account["active"] is True


def test_required_fields(leave: World) -> None:
    with pytest.raises(Invalid) as caught:
        leave.svc.create(leave["hr"], "LeaveType", {"paid": False})
    assert problems(caught.value) == {("name", "required"), ("code", "required")}


def test_validation_rules_blame_their_fields(leave: World) -> None:
    hr = leave["hr"]
    kind = leave.svc.create(hr, "LeaveType", {"name": "Annual leave", "code": "AL"})
    with pytest.raises(Invalid) as caught:
        leave.svc.create(hr, "LeaveRequest", {
            "employee": leave["employee"].user_id, "leave_type": kind["id"],
            "start_date": "2026-04-10", "end_date": "2026-04-01", "half_day": True,
            "approver": leave["employee"].user_id})
    assert problems(caught.value) == {("end_date", "validation"), ("half_day", "validation"),
                                      ("approver", "validation")}


def test_unique_violation_is_a_conflict_naming_the_field(leave: World) -> None:
    hr = leave["hr"]
    leave.svc.create(hr, "LeaveType", {"name": "Annual leave", "code": "AL"})
    with pytest.raises(Conflict) as caught:
        leave.svc.create(hr, "LeaveType", {"name": "Annual leave", "code": "AN"})
    assert problems(caught.value) == {("name", "unique")}
    assert caught.value.status == 409
    second = leave.svc.create(hr, "LeaveType", {"name": "Sick leave", "code": "SL"})
    with pytest.raises(Conflict) as caught:
        leave.svc.update(hr, "LeaveType", second["id"], {"code": "AL"})
    assert problems(caught.value) == {("code", "unique")}
    assert audit_count(leave) == 2


def test_update_is_partial_and_bumps_the_version(helpdesk: World) -> None:
    supervisor = helpdesk["supervisor"]
    created = helpdesk.svc.create(supervisor, "Ticket", ticket(internal_notes="first"))
    updated = helpdesk.svc.update(supervisor, "Ticket", created["id"], {"priority": "high"},
                                  if_match=1)
    assert updated["priority"] == "high" and updated["internal_notes"] == "first"
    assert updated["row_version"] == 2 and updated["sla_due_at"] == "2026-03-12T09:30:00Z"
    same = helpdesk.svc.update(supervisor, "Ticket", created["id"], {"priority": "high"})
    assert same["row_version"] == 2, "a change to nothing writes nothing"
    assert audit_count(helpdesk) == 2


def test_if_match_must_be_the_current_version(helpdesk: World) -> None:
    supervisor = helpdesk["supervisor"]
    created = helpdesk.svc.create(supervisor, "Ticket", ticket())
    helpdesk.svc.update(supervisor, "Ticket", created["id"], {"priority": "high"})
    with pytest.raises(PreconditionFailed) as caught:
        helpdesk.svc.update(supervisor, "Ticket", created["id"], {"priority": "low"}, if_match=1)
    assert caught.value.status == 412
    with pytest.raises(PreconditionFailed):
        helpdesk.svc.delete(supervisor.__class__(
            helpdesk["admin"].user_id, "admin@example.com", frozenset({"admin"})),
            "Ticket", created["id"], if_match=1)
    with pytest.raises(PreconditionFailed):
        helpdesk.svc.transition(supervisor, "Ticket", created["id"], "start", if_match=7)
    assert helpdesk.svc.get(supervisor, "Ticket", created["id"])["priority"] == "high"


def test_writes_to_computed_state_and_system_fields_are_refused(helpdesk: World) -> None:
    supervisor = helpdesk["supervisor"]
    created = helpdesk.svc.create(supervisor, "Ticket", ticket())
    with pytest.raises(Invalid) as caught:
        helpdesk.svc.update(supervisor, "Ticket", created["id"], {
            "state": "closed", "sla_due_at": "2026-01-01T00:00:00Z", "row_version": 9,
            "created_by": 1})
    assert problems(caught.value) == {("state", "read_only"), ("sla_due_at", "read_only"),
                                      ("row_version", "read_only"), ("created_by", "read_only")}


def test_field_write_access(helpdesk: World) -> None:
    customer = helpdesk["customer"]
    with pytest.raises(Forbidden) as caught:
        helpdesk.svc.create(customer, "Ticket", ticket(priority="urgent", internal_notes="x",
                                                         subject="x"))
    assert problems(caught.value) == {("priority", "forbidden"), ("internal_notes", "forbidden")}
    assert "`priority`" in caught.value.detail
    created = helpdesk.svc.create(customer, "Ticket", ticket())
    with pytest.raises(Forbidden):
        helpdesk.svc.update(customer, "Ticket", created["id"], {"assignee": 1})


def test_unknown_app_entity_and_record(helpdesk: World) -> None:
    admin = helpdesk["admin"]
    with pytest.raises(NotFound):
        helpdesk.runtime.records("nope")
    with pytest.raises(NotFound):
        helpdesk.svc.get(admin, "Nope", 1)
    with pytest.raises(NotFound):
        helpdesk.svc.get(admin, "Ticket", 12345)
    with pytest.raises(NotFound):
        helpdesk.svc.update(admin, "Ticket", 12345, {})
    with pytest.raises(NotFound):
        helpdesk.svc.delete(admin, "Ticket", True)
    with pytest.raises(BadRequest):
        helpdesk.svc.create(admin, "Ticket", ["not", "a", "mapping"])  # type: ignore[arg-type]


def test_delete_applies_on_delete_rules(helpdesk: World) -> None:
    admin = helpdesk["admin"]
    account = helpdesk.svc.create(admin, "Account", {"name": "Acme", "code": "ACME"})
    first = helpdesk.svc.create(admin, "Ticket", ticket(account=account["id"]))
    duplicate = helpdesk.svc.create(admin, "Ticket", ticket(duplicate_of=first["id"]))
    comment = helpdesk.svc.create(admin, "Comment", {
        "ticket": first["id"], "requester": helpdesk["customer"].user_id, "body": "Any news?"})
    with pytest.raises(Conflict) as caught:
        helpdesk.svc.delete(admin, "Account", account["id"])
    assert "1 Ticket still refer" in caught.value.detail
    helpdesk.svc.delete(admin, "Ticket", first["id"])
    with pytest.raises(NotFound):
        helpdesk.svc.get(admin, "Comment", comment["id"])
    after = helpdesk.svc.get(admin, "Ticket", duplicate["id"])
    assert after["duplicate_of"] is None and after["row_version"] == 2
    actions = [(e["action"], e["changes"].get("duplicate_of"))
               for e in helpdesk.svc.history(admin, "Ticket", duplicate["id"])]
    assert actions[-1] == ("update", {"before": first["id"], "after": None})
    with helpdesk.db.connect() as conn:
        deleted = conn.execute(sa.text(
            f"SELECT entity, record_id FROM {AUDIT} WHERE action = 'delete' ORDER BY id")).all()
    assert [tuple(r) for r in deleted] == [("Comment", comment["id"]), ("Ticket", first["id"])]
    helpdesk.svc.delete(admin, "Account", account["id"])


def test_delete_names_the_files_of_every_record_it_deleted(helpdesk: World) -> None:
    admin = helpdesk["admin"]
    photo = {"id": "a" * 32, "name": "smoke.png", "size": 40, "type": "image/png"}
    other = {"id": "b" * 32, "name": "kept.png", "size": 40, "type": "image/png"}
    doomed = helpdesk.svc.create(admin, "Ticket", ticket())
    spared = helpdesk.svc.create(admin, "Ticket", ticket())
    for parent, attachment in ((doomed, photo), (spared, other)):
        helpdesk.svc.create(admin, "Comment", {
            "ticket": parent["id"], "requester": helpdesk["customer"].user_id,
            "body": "See the photo.", "attachment": attachment})
    # the comment goes with its ticket, and so does the file it held
    assert helpdesk.svc.delete(admin, "Ticket", doomed["id"]) == (photo["id"],)
    assert helpdesk.svc.delete(admin, "Ticket", spared["id"], None) == (other["id"],)


def test_a_failing_write_leaves_no_audit_entry(helpdesk: World) -> None:
    supervisor = helpdesk["supervisor"]
    created = helpdesk.svc.create(supervisor, "Ticket", ticket())
    before = audit_count(helpdesk)

    runtime = helpdesk.runtime
    plan = runtime.records("helpdesk").app
    original = plan.audit.append

    def broken(conn: sa.Connection, entries: Any) -> None:
        original(conn, entries)
        raise RuntimeError("disk full")

    plan.audit.append = broken  # type: ignore[method-assign]
    try:
        with pytest.raises(RuntimeError):
            helpdesk.svc.update(supervisor, "Ticket", created["id"], {"priority": "high"})
    finally:
        plan.audit.append = original  # type: ignore[method-assign]
    assert audit_count(helpdesk) == before
    assert helpdesk.svc.get(supervisor, "Ticket", created["id"])["priority"] == "normal"


def test_datetime_defaults_use_the_clock(db: sa.Engine) -> None:
    from tests.engine.worlds import app_from_text, build_world

    world = build_world(db, app_from_text(DEFAULTS_APP), clock=NOW)
    record = world.svc.create(world["admin"], "Visit", {})
    assert record["on"] == NOW.date().isoformat()
    assert record["at"] == "2026-03-10T09:30:00Z"
    assert record["fixed"] == "2026-01-01T10:00:00Z"
    assert dt.date.fromisoformat(record["on"]) == NOW.date()


DEFAULTS_APP = """\
apiary: 1
app: {name: visits, title: Visits}
roles: {host: Receives visitors.}
entities:
  Visit:
    fields:
      "on": {type: date, default: today}
      at: {type: datetime, default: now}
      fixed: {type: datetime, default: "2026-01-01T11:00:00+01:00"}
    permissions:
      host: true
"""


def test_create_many_keeps_the_good_rows_and_explains_the_refused_ones(leave: World) -> None:
    hr = leave["hr"]
    results = leave.svc.create_many(hr, "LeaveType", [
        {"name": "Annual leave", "code": "AL"},
        {"name": "Annual leave", "code": "AX"},  # unique name taken by the row before
        {"code": "NN"},  # name is required
        {"name": "Sick leave", "code": "SL"},
    ])
    assert [type(r).__name__ for r in results] == ["dict", "Conflict", "Invalid", "dict"]
    assert problems(results[1]) == {("name", "unique")}  # type: ignore[arg-type]
    assert problems(results[2]) == {("name", "required")}  # type: ignore[arg-type]
    names = [r["name"] for r in leave.svc.list(hr, "LeaveType").items]
    assert sorted(names) == ["Annual leave", "Sick leave"]
    assert audit_count(leave) == 2, "a refused row leaves no audit entry"
    with pytest.raises(Forbidden):
        leave.svc.create_many(leave["employee"], "LeaveType", [{"name": "X", "code": "XX"}])
