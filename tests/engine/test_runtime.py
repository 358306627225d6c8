"""The runtime: publishing app versions, and what it keeps per principal between requests."""

from __future__ import annotations

import datetime as dt

import pytest

from apiary.engine import NotFound, Principal, Runtime
from tests.engine.worlds import NOW, World


def test_publish_swaps_the_app_version(helpdesk: World) -> None:
    runtime: Runtime = helpdesk.runtime
    old = runtime.records("helpdesk")
    runtime.publish(helpdesk.app)
    current = runtime.records("helpdesk")
    assert current.app is not old.app
    assert list(runtime.apps) == ["helpdesk"] and runtime.apps["helpdesk"] is helpdesk.app
    record = old.create(helpdesk["agent"], "Ticket", {
        "subject": "Made on the old version", "description": "x", "category": "question"})
    assert current.get(helpdesk["agent"], "Ticket", record["id"])["id"] == record["id"]
    with pytest.raises(NotFound):
        runtime.records("billing")


def test_prepared_statements_follow_the_day(leave: World) -> None:
    clock = [NOW]
    runtime = Runtime(leave.db, [leave.app], clock=lambda: clock[0])
    svc = runtime.records("leave")
    employee = leave["employee"]
    kind = svc.create(leave["hr"], "LeaveType", {"name": "Annual leave", "code": "AL"})
    request = svc.create(employee, "LeaveRequest", {
        "employee": employee.user_id, "leave_type": kind["id"], "start_date": "2026-03-12",
        "end_date": "2026-03-13", "approver": leave["manager"].user_id})
    assert request["_transitions"] == ["submit", "cancel"]
    clock[0] = NOW + dt.timedelta(days=2)
    assert svc.get(employee, "LeaveRequest", request["id"])["_transitions"] == ["submit"]
    clock[0] = NOW + dt.timedelta(days=3)
    assert svc.get(employee, "LeaveRequest", request["id"])["_transitions"] == []


def test_principals() -> None:
    admin = Principal(1, "a@example.com", frozenset({"admin"}))
    assert admin.is_admin and not Principal(None, None, frozenset()).is_admin
    assert Principal(2, None, {"x"}).roles == frozenset({"x"})  # type: ignore[arg-type]
    ctx = admin.context(NOW)
    assert (ctx.user_id, ctx.user_roles, ctx.today) == (1, frozenset({"admin"}), NOW.date())
