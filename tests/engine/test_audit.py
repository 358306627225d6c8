"""The audit trail: what each change records, personal data masked, history for readers only."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import sqlalchemy as sa

from apiary.engine import NotFound, Principal, verify_audit
from apiary.storage.system import AUDIT
from tests.engine.worlds import World


def entries(world: World) -> list[dict[str, Any]]:
    with world.db.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.text(f"SELECT * FROM {AUDIT} ORDER BY id"))
                .mappings()]
    for row in rows:
        if isinstance(row["changes"], str):
            row["changes"] = json.loads(row["changes"])
    return rows


def test_each_change_is_one_entry_with_its_actor(helpdesk: World) -> None:
    agent = helpdesk["agent"]
    tagged = Principal(agent.user_id, agent.email, agent.roles, request_id="req-42")
    ticket = helpdesk.svc.create(tagged, "Ticket", {
        "subject": "Slow dashboard", "description": "x", "category": "incident"})
    helpdesk.svc.update(agent, "Ticket", ticket["id"], {"priority": "low"})
    helpdesk.svc.delete(helpdesk["admin"], "Ticket", ticket["id"])
    rows = entries(helpdesk)
    assert [(r["action"], r["actor_email"], r["record_id"]) for r in rows] == [
        ("create", "agent@example.com", ticket["id"]),
        ("update", "agent@example.com", ticket["id"]),
        ("delete", "admin@example.com", ticket["id"])]
    assert rows[0]["request_id"] == "req-42" and rows[0]["app"] == "helpdesk"
    assert rows[1]["changes"] == {
        "priority": {"before": "normal", "after": "low"},
        "sla_due_at": {"before": "2026-03-15T09:30:00Z", "after": "2026-03-20T09:30:00Z"}}
    assert rows[2]["changes"]["subject"] == {"before": "Slow dashboard", "after": None}
    assert [r["prev_hash"] for r in rows[1:]] == [r["hash"] for r in rows[:-1]]


def test_personal_data_is_masked(expenses: World) -> None:
    employee, finance = expenses["employee"], expenses["finance"]
    account = expenses.svc.create(employee, "BankAccount", {
        "employee": employee.user_id, "account_holder": "Jo Bloggs",
        "iban": "DE89370400440532013000", "bank_name": "Sparkasse"})
    expenses.svc.update(finance, "BankAccount", account["id"], {"iban": "GB29NWBK60161331926819"})
    rows = entries(expenses)
    assert rows[0]["changes"]["iban"] == {"changed": True}
    assert rows[0]["changes"]["account_holder"] == {"changed": True}
    assert rows[0]["changes"]["bank_name"] == {"before": None, "after": "Sparkasse"}
    assert rows[1]["changes"] == {"iban": {"changed": True}}
    assert "DE89" not in str(rows) and "Bloggs" not in str(rows)


def test_history_shows_only_what_the_reader_may_read(helpdesk: World) -> None:
    customer, agent = helpdesk["customer"], helpdesk["agent"]
    ticket = helpdesk.svc.create(customer, "Ticket", {
        "subject": "Where is my invoice", "description": "x", "category": "billing"})
    helpdesk.svc.update(agent, "Ticket", ticket["id"], {"internal_notes": "Customer is upset"})
    agent_view = helpdesk.svc.history(agent, "Ticket", ticket["id"])
    assert agent_view[1]["changes"] == {"internal_notes": {"before": None,
                                                           "after": "Customer is upset"}}
    customer_view = helpdesk.svc.history(customer, "Ticket", ticket["id"])
    assert [e["action"] for e in customer_view] == ["create", "update"]
    assert customer_view[1]["changes"] == {}
    assert customer_view[0]["at"] == "2026-03-10T09:30:00Z"
    with pytest.raises(NotFound):
        helpdesk.svc.history(helpdesk.person("stranger", "customer"), "Ticket", ticket["id"])
    with pytest.raises(NotFound):
        helpdesk.svc.history(agent, "Ticket", ticket["id"] + 100)


def test_concurrent_writers_keep_one_chain(helpdesk: World) -> None:
    agent = helpdesk["agent"]
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(5):
                helpdesk.svc.create(agent, "Ticket", {
                    "subject": f"Ticket {n}-{i}", "description": "x", "category": "question"})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify_audit(helpdesk.db)
    assert report.ok and report.entries == 20
    rows = entries(helpdesk)
    assert len({r["prev_hash"] for r in rows}) == 20
