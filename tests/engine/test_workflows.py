"""Transitions: who may take them, every reason one is refused, and what taking one records."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from apiary.engine import (
    Conflict,
    EngineError,
    Forbidden,
    Invalid,
    ListQuery,
    NotFound,
    PreconditionFailed,
)
from tests.engine.worlds import World, app_from_text, build_world


def new_ticket(world: World, **extra: Any) -> dict[str, Any]:
    return world.svc.create(world["admin"], "Ticket", {
        "subject": "Cannot log in", "description": "Since this morning.",
        "category": "account_access", **extra})


def refusal(world: World, who: str, record: dict[str, Any], name: str,
            **kwargs: Any) -> EngineError:
    with pytest.raises(EngineError) as caught:
        world.svc.transition(world[who], "Ticket", record["id"], name, **kwargs)
    return caught.value


def test_taking_a_transition(helpdesk: World) -> None:
    agent = helpdesk["agent"]
    ticket = new_ticket(helpdesk, assignee=agent.user_id)
    assert helpdesk.svc.get(agent, "Ticket", ticket["id"])["_transitions"] == ["start"]
    moved = helpdesk.svc.transition(agent, "Ticket", ticket["id"], "start",
                                    comment="Looking into it", if_match=1)
    assert moved["state"] == "in_progress" and moved["row_version"] == 2
    assert moved["updated_by"] == agent.user_id
    assert moved["_transitions"] == ["ask_customer", "resolve"]
    last = helpdesk.svc.history(agent, "Ticket", ticket["id"])[-1]
    assert last["action"] == "transition" and last["actor"] == "agent@example.com"
    assert (last["from"], last["to"], last["comment"]) == ("new", "in_progress",
                                                           "Looking into it")
    assert last["changes"] == {"state": {"before": "new", "after": "in_progress"}}


def test_unknown_transitions_and_entities_without_workflow(helpdesk: World) -> None:
    ticket = new_ticket(helpdesk)
    assert isinstance(refusal(helpdesk, "admin", ticket, "teleport"), NotFound)
    account = helpdesk.svc.create(helpdesk["admin"], "Account", {"name": "A", "code": "AAA"})
    with pytest.raises(NotFound):
        helpdesk.svc.transition(helpdesk["admin"], "Account", account["id"], "start")


def test_role_not_allowed(helpdesk: World) -> None:
    error = refusal(helpdesk, "customer", new_ticket(helpdesk), "start")
    assert isinstance(error, Forbidden)
    assert "agent, supervisor" in error.detail


def test_record_not_readable(helpdesk: World) -> None:
    other = helpdesk.person("other-customer", "customer")
    ticket = helpdesk.svc.create(other, "Ticket", {
        "subject": "Someone else's", "description": "x", "category": "question"})
    assert isinstance(refusal(helpdesk, "customer", ticket, "withdraw"), NotFound)


def test_wrong_source_state(helpdesk: World) -> None:
    error = refusal(helpdesk, "supervisor", new_ticket(helpdesk), "resolve")
    assert isinstance(error, Conflict)
    assert "while the record is `new`" in error.detail and "`in_progress`" in error.detail


def test_no_update_permission_on_the_record(helpdesk: World) -> None:
    ticket = new_ticket(helpdesk, assignee=helpdesk["supervisor"].user_id)
    error = refusal(helpdesk, "agent", ticket, "start")
    assert isinstance(error, Forbidden) and "may not change this Ticket" in error.detail


def test_guard_does_not_hold(helpdesk: World) -> None:
    error = refusal(helpdesk, "agent", new_ticket(helpdesk), "start")
    assert isinstance(error, Forbidden)
    assert "assignee == user.id" in error.detail


def test_target_state_requires_fields(helpdesk: World) -> None:
    error = refusal(helpdesk, "supervisor", new_ticket(helpdesk), "start")
    assert isinstance(error, Invalid)
    assert [(p.field, p.code) for p in error.errors] == [("assignee", "required_by_state")]


def test_if_match(helpdesk: World) -> None:
    ticket = new_ticket(helpdesk, assignee=helpdesk["agent"].user_id)
    assert isinstance(refusal(helpdesk, "agent", ticket, "start", if_match=2),
                      PreconditionFailed)


def test_validation_rules_apply_to_the_new_state(expenses: World) -> None:
    finance, employee = expenses["finance"], expenses["employee"]
    centre = expenses.svc.create(finance, "CostCentre", {"code": "FI-001", "name": "Finance"})
    claim = expenses.svc.create(employee, "ExpenseClaim", {
        "purpose": "Trip", "cost_centre": centre["id"], "period_start": "2026-03-01",
        "period_end": "2026-03-02", "approver": expenses["manager"].user_id})
    assert claim["_transitions"] == ["submit"]
    submitted = expenses.svc.transition(employee, "ExpenseClaim", claim["id"], "submit")
    assert submitted["_transitions"] == []
    manager = expenses["manager"]
    assert expenses.svc.get(manager, "ExpenseClaim", claim["id"])["_transitions"] == [
        "approve", "send_back", "reject"]
    with pytest.raises(Invalid) as caught:
        expenses.svc.transition(manager, "ExpenseClaim", claim["id"], "reject")
    assert [(p.field, p.code) for p in caught.value.errors] == [
        ("review_comment", "required_by_state")]
    expenses.svc.update(manager, "ExpenseClaim", claim["id"], {"review_comment": "No receipts"})
    rejected = expenses.svc.transition(manager, "ExpenseClaim", claim["id"], "reject",
                                       comment="See note")
    assert rejected["state"] == "rejected"
    with pytest.raises(Forbidden):
        expenses.svc.update(manager, "ExpenseClaim", claim["id"], {"review_comment": "x"})


def test_guards_reading_today(leave: World) -> None:
    hr, employee = leave["hr"], leave["employee"]
    kind = leave.svc.create(hr, "LeaveType", {"name": "Annual leave", "code": "AL"})

    def request(start: str) -> dict[str, Any]:
        return leave.svc.create(employee, "LeaveRequest", {
            "employee": employee.user_id, "leave_type": kind["id"], "start_date": start,
            "end_date": "2026-04-30", "approver": leave["manager"].user_id})

    future, past = request("2026-04-01"), request("2026-03-01")
    assert future["_transitions"] == ["submit", "cancel"]
    assert past["_transitions"] == []
    with pytest.raises(Forbidden):
        leave.svc.transition(employee, "LeaveRequest", past["id"], "submit")
    assert leave.svc.transition(hr, "LeaveRequest", past["id"], "submit")["state"] == "submitted"


GUARDED = """\
apiary: 1
app: {name: docs, title: Documents}
roles: {writer: Writes documents.}
entities:
  Doc:
    fields:
      title: {type: string, required: true}
      secret: {type: string, access: {read: [admin]}}
    workflow:
      states: [draft, published]
      transitions:
        publish:
          from: draft
          to: published
          roles: [writer]
          guard: "title.matches('[A-Z].*') && secret == null"
    permissions:
      writer: true
"""


def test_guards_that_cannot_be_sql_run_in_python(db: sa.Engine) -> None:
    world = build_world(db, app_from_text(GUARDED))
    writer, admin = world["writer"], world["admin"]
    capital = world.svc.create(writer, "Doc", {"title": "Hello"})
    lower = world.svc.create(writer, "Doc", {"title": "hello"})
    hidden = world.svc.create(admin, "Doc", {"title": "Hello", "secret": "s"})
    page = world.svc.list(writer, "Doc", ListQuery())
    assert {r["id"]: r["_transitions"] for r in page.items} == {
        capital["id"]: ["publish"], lower["id"]: [], hidden["id"]: []}
    assert all("secret" not in r for r in page.items)
    with pytest.raises(Forbidden):
        world.svc.transition(writer, "Doc", lower["id"], "publish")
    assert world.svc.transition(writer, "Doc", capital["id"], "publish")["_transitions"] == []
